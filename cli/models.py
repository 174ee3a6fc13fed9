"""``deescal models``: the language models and LoRA adapters role-plays can use.

``list`` shows them, ``add PATH`` registers a GGUF model (checked and hashed first), ``default NAME``
picks the model new sessions use, ``remove NAME`` forgets one (the file stays), ``adapters`` lists
LoRA adapters, ``add-adapter PATH`` registers one after checking it fits, ``attach NAME|none`` picks
the adapter new sessions use.
"""

from __future__ import annotations

import argparse
import sys

from deescal.cli.common import add_json_flag, open_service, print_json, print_table
from deescal.models.registry import ModelRegistry


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list, add and choose language models and adapters",
        description="List, add and choose the GGUF language models and LoRA adapters role-plays use.",
    )
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="the registered models (the default first)")
    add_json_flag(listing)
    listing.set_defaults(func=run_list)
    add = commands.add_parser("add", help="register a GGUF model file by path")
    add.add_argument("path", metavar="PATH")
    add.add_argument("--name", metavar="N", help="name to use (default: the file name)")
    add_json_flag(add)
    add.set_defaults(func=run_add)
    default = commands.add_parser("default", help="make a model the default for new sessions")
    default.add_argument("name", metavar="NAME")
    default.set_defaults(func=run_default)
    remove = commands.add_parser("remove", help="forget a model (its file is not deleted)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(func=run_remove)
    adapters = commands.add_parser("adapters", help="the registered LoRA adapters")
    add_json_flag(adapters)
    adapters.set_defaults(func=run_adapters)
    add_adapter = commands.add_parser("add-adapter", help="register a LoRA adapter GGUF (checked first)")
    add_adapter.add_argument("path", metavar="PATH")
    add_adapter.add_argument("--name", metavar="N")
    add_adapter.add_argument("--model", metavar="NAME", help="the base model (default: the default model)")
    add_json_flag(add_adapter)
    add_adapter.set_defaults(func=run_add_adapter)
    attach = commands.add_parser("attach", help="use this adapter in new sessions ('none' to detach)")
    attach.add_argument("name", metavar="NAME")
    attach.set_defaults(func=run_attach)


def run_list(args: argparse.Namespace) -> int:
    with open_service(args, ModelRegistry) as registry:
        models = registry.list()
    if args.json:
        print_json([m.to_dict() for m in models])
        return 0
    print_table(
        [
            (
                "*" if m.is_default else "",
                m.name,
                m.prompt_style,
                f"{m.size_bytes / 2**20:,.0f} MB",
                m.context_length,
                m.sha256[:12],
                m.path,
            )
            for m in models
        ],
        ["", "name", "style", "size", "context", "sha256", "path"],
    )
    return 0


def run_add(args: argparse.Namespace) -> int:
    with open_service(args, ModelRegistry) as registry:
        progress = None if args.json else _progress_printer()
        record = registry.add(args.path, args.name, progress=progress)
    if args.json:
        print_json(record.to_dict())
    else:
        print(f"\nAdded '{record.name}' ({record.prompt_style} model, context {record.context_length}).")
    return 0


def _progress_printer():
    def show(fraction: float, text: str) -> None:
        sys.stderr.write(f"\r{text}: {fraction:4.0%}")
        sys.stderr.flush()

    return show


def run_default(args: argparse.Namespace) -> int:
    with open_service(args, ModelRegistry) as registry:
        record = registry.set_default(args.name)
    print(f"New sessions will use '{record.name}'.")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    with open_service(args, ModelRegistry) as registry:
        registry.remove(args.name)
    print(f"Removed '{args.name}' (the file was left in place).")
    return 0


def run_adapters(args: argparse.Namespace) -> int:
    with open_service(args, ModelRegistry) as registry:
        adapters = registry.adapters()
    if args.json:
        print_json([a.to_dict() for a in adapters])
        return 0
    print_table(
        [("*" if a.is_active else "", a.name, a.created_at[:16].replace("T", " "), a.path) for a in adapters],
        ["", "name", "created", "path"],
    )
    return 0


def run_add_adapter(args: argparse.Namespace) -> int:
    with open_service(args, ModelRegistry) as registry:
        record = registry.add_adapter(args.path, args.name, args.model)
    if args.json:
        print_json(record.to_dict())
    else:
        print(f"Added adapter '{record.name}'. Attach it with: deescal models attach {record.name}")
    return 0


def run_attach(args: argparse.Namespace) -> int:
    with open_service(args, ModelRegistry) as registry:
        record = registry.set_active_adapter(None if args.name.lower() == "none" else args.name)
    print(f"New sessions will use the adapter '{record.name}'." if record else "New sessions use no adapter.")
    return 0
