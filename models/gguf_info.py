"""A fast reader for a GGUF file's header: metadata, tensor names and shapes, and a completeness check.

``gguf.GGUFReader`` takes about ten seconds on the embedded model (it builds numpy views for every
vocabulary entry); this reads only what the app needs, in a fraction of a second, so a file can be
checked before llama.cpp touches it. Every problem becomes a :class:`ModelError` naming the file.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deescal.app.errors import ModelError
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32
MAX_KEPT_ARRAY = 64  # longer arrays (vocabularies, merges) are skipped; their length is kept

_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]  # ggml order: the fastest-varying dimension first (ne[0], ne[1], ...)
    type: int
    offset: int


@dataclass
class GGUFInfo:
    path: Path
    version: int
    metadata: dict[str, Any]
    tensors: dict[str, TensorInfo] = field(default_factory=dict)
    data_start: int = 0  # where tensor data begins; a tensor's bytes are at data_start + its offset
    value_types: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # key: (type, item type)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    @property
    def file_type(self) -> str:
        """``model`` or ``adapter`` (files written before general.type existed are models)."""
        return str(self.metadata.get("general.type", "model"))

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name", "")) or self.path.stem

    @property
    def context_length(self) -> int:
        return int(self.metadata.get(f"{self.architecture}.context_length", 2048))

    @property
    def chat_template(self) -> str | None:
        template = self.metadata.get("tokenizer.chat_template")
        return template if isinstance(template, str) and template.strip() else None


class _Cursor:
    def __init__(self, buffer: mmap.mmap, whole_arrays: bool = False) -> None:
        self.buffer, self.pos = buffer, 0
        self.whole_arrays = whole_arrays

    def unpack(self, fmt: str) -> Any:
        value = struct.unpack_from(fmt, self.buffer, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def string(self) -> str:
        length = self.unpack("<Q")
        if self.pos + length > len(self.buffer):
            raise ValueError("a text field runs past the end of the file")
        text = bytes(self.buffer[self.pos : self.pos + length]).decode("utf-8", errors="replace")
        self.pos += length
        return text

    def skip_string(self) -> None:
        self.pos += 8 + struct.unpack_from("<Q", self.buffer, self.pos)[0]

    def value(self, kind: int) -> Any:
        if kind in _SCALARS:
            return self.unpack(_SCALARS[kind])
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item_kind, count = self.unpack("<I"), self.unpack("<Q")
            if count > MAX_KEPT_ARRAY and not self.whole_arrays:
                self.skip_array(item_kind, count)
                return {"array_length": count}
            if item_kind in _SCALARS:  # numbers in one read: a vocabulary's scores are 262,144 of them
                values = struct.unpack_from(f"<{count}{_SCALARS[item_kind][1]}", self.buffer, self.pos)
                self.pos += struct.calcsize(_SCALARS[item_kind]) * count
                return list(values)
            return [self.value(item_kind) for _ in range(count)]
        raise ValueError(f"unknown metadata value type {kind}")

    def skip_array(self, kind: int, count: int) -> None:
        if kind in _SCALARS:
            self.pos += struct.calcsize(_SCALARS[kind]) * count
        elif kind == _STRING:
            for _ in range(count):
                self.skip_string()
        else:
            for _ in range(count):
                self.value(kind)


def _tensor_bytes(info: TensorInfo) -> int:
    block, size = GGML_QUANT_SIZES[GGMLQuantizationType(info.type)]
    elements = 1
    for dim in info.shape:
        elements *= dim
    return elements // block * size


def read_gguf_info(path: str | Path, what: str = "model", whole_arrays: bool = False) -> GGUFInfo:
    """The header of ``path``; raises :class:`ModelError` if it is missing, not GGUF, or cut short.

    Arrays longer than :data:`MAX_KEPT_ARRAY` are skipped unless ``whole_arrays`` (the vocabulary,
    for writing a trimmed copy).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"The {what} file {path} does not exist.")
    try:
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buffer:
            return _parse(path, buffer, whole_arrays)
    except ModelError:
        raise
    except struct.error as exc:
        raise ModelError(
            f"The {what} file {path.name} is damaged: it is cut short (it ends inside its header). "
            "Copy it again or choose another file."
        ) from exc
    except (
        ValueError,
        OSError,
        KeyError,
        IndexError,
        RecursionError,
        MemoryError,
    ) as exc:  # hand-made headers
        raise ModelError(
            f"The {what} file {path.name} is damaged or is not a GGUF file ({exc}). "
            "Copy it again or choose another file."
        ) from exc


def _parse(path: Path, buffer: mmap.mmap, whole_arrays: bool) -> GGUFInfo:
    if buffer[:4] != GGUF_MAGIC:
        raise ValueError("it does not start with the GGUF signature")
    cursor = _Cursor(buffer, whole_arrays)
    cursor.pos = 4
    version = cursor.unpack("<I")
    if version not in (2, 3):
        raise ValueError(f"GGUF version {version} is not supported")
    n_tensors, n_fields = cursor.unpack("<Q"), cursor.unpack("<Q")
    metadata: dict[str, Any] = {}
    value_types: dict[str, tuple[int, int | None]] = {}
    for _ in range(n_fields):
        key, kind = cursor.string(), cursor.unpack("<I")
        value_types[key] = (kind, struct.unpack_from("<I", buffer, cursor.pos)[0] if kind == _ARRAY else None)
        metadata[key] = cursor.value(kind)
    tensors: dict[str, TensorInfo] = {}
    for _ in range(n_tensors):
        name = cursor.string()
        n_dims = cursor.unpack("<I")
        shape = tuple(cursor.unpack("<Q") for _ in range(n_dims))
        tensors[name] = TensorInfo(name, shape, cursor.unpack("<I"), cursor.unpack("<Q"))
    alignment = int(metadata.get("general.alignment", DEFAULT_ALIGNMENT))
    if alignment <= 0:
        raise ValueError(f"its data alignment is {alignment}")
    data_start = -(-cursor.pos // alignment) * alignment
    end = max((data_start + t.offset + _tensor_bytes(t) for t in tensors.values()), default=data_start)
    if end > len(buffer):
        raise ValueError(f"it is cut short: {len(buffer):,} bytes of the {end:,} its header describes")
    return GGUFInfo(path, version, metadata, tensors, data_start, value_types)
