"""The scenario library as every front end sees it: browse, search, import, export, correct roles.

Construction makes sure the bundled scenarios are in the database. That is skipped in a few
milliseconds when a fingerprint of the bundled files matches the one saved in settings, so opening
the app stays fast; a changed bundled scenario is updated in place (same id, so sessions keep
pointing at it), a new one is added, and a broken bundled file is reported without blocking the rest.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.library.importer import Importer, ImportReport, Progress
from deescal.app.records.entities import ScenarioListing
from deescal.app.records.scenario_search import SEARCH_INDEX_VERSION, SearchQuery
from deescal.app.records.scenarios import ScenarioRepository
from deescal.app.settings import get_setting, set_setting
from deescal.scenario_library.scenario_files import (
    BUNDLED_DIR,
    bundled_fingerprint,
    load_bundled,
    scenario_hash,
    write_export,
)
from deescal.scenario_library.schema import ROLES, Scenario
from deescal.scenario_library.transcript_import import rederive_card

log = logging.getLogger(__name__)

BUNDLED_KEY = "library.bundled_fingerprint"
SEARCH_INDEX_KEY = "library.search_index_version"
DEFAULT_PAGE = 200


class LibraryService:
    bundled_dir: Path = BUNDLED_DIR  # where the shipped scenario files are (tests point it elsewhere)

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.scenarios = ScenarioRepository(ctx.store)
        self.bundled_errors: list[str] = []
        self.index_problems: list[str] = []  # stored rows the search index had to leave out
        self._facets: dict[str, object] = {}
        self.ensure_search_index()
        self.ensure_bundled()

    def ensure_search_index(self) -> None:
        """Rebuilds the search index once after an upgrade changed how text is indexed."""
        if get_setting(self.store, SEARCH_INDEX_KEY) == SEARCH_INDEX_VERSION:
            return
        started = time.perf_counter()
        rows, unreadable = self.scenarios.rebuild_search_index()
        set_setting(self.store, SEARCH_INDEX_KEY, SEARCH_INDEX_VERSION)
        log.info("search index rebuilt: %d scenarios in %.1f s", rows, time.perf_counter() - started)
        self.index_problems = [
            f"scenario #{scenario_id}: \u201c{title}\u201d is damaged (its stored card is not valid JSON) "
            f"and cannot be searched or opened; delete it and import it again"
            for scenario_id, title in unreadable
        ]
        for problem in self.index_problems:
            log.warning("search index: %s", problem)

    # -- bundled library -------------------------------------------------------------------
    def ensure_bundled(self) -> int:
        """Adds or updates bundled scenarios when the bundled files changed; returns how many were written."""
        fingerprint = bundled_fingerprint(self.bundled_dir)
        if get_setting(self.store, BUNDLED_KEY) == fingerprint:
            return 0
        library = load_bundled(self.bundled_dir)
        self.bundled_errors = library.errors
        for error in library.errors:
            log.warning("bundled scenario file problem: %s", error)
        existing = self.scenarios.authored()
        written = 0
        with self.store.write():
            for scenario in library.scenarios:
                digest = scenario_hash(scenario)
                row = existing.get(scenario.case_id)
                if row is None:
                    if self.scenarios.case_id_taken(scenario.case_id):
                        log.warning(
                            "bundled case id %s is already used by an imported scenario", scenario.case_id
                        )
                        continue
                    self.scenarios.insert(scenario, digest)
                elif row["content_hash"] != digest:
                    self.scenarios.update(row["id"], scenario, digest)
                else:
                    continue
                written += 1
        if not library.errors:
            set_setting(self.store, BUNDLED_KEY, fingerprint)
        self._changed()
        return written

    # -- reading ---------------------------------------------------------------------------
    def get(self, scenario_id: int) -> Scenario:
        scenario = self.scenarios.load(int(scenario_id))
        if scenario is None:
            raise UserFacingError(f"There is no scenario #{scenario_id} in the library.")
        return scenario

    def find_id(self, key: str | int) -> int:
        """A database id or a case id (e.g. "sui-001", "dw-youtube-1623") to the database id."""
        text = str(key).strip()
        found = self.scenarios.find_id(text)
        if found is not None:
            return found
        raise UserFacingError(
            f"No scenario '{text}' in the library. Use 'deescal scenarios list' to see ids and case ids."
        )

    def corrected_turns(self, scenario_id: int) -> set[int]:
        return self.scenarios.corrected_turns(scenario_id)

    def search(
        self,
        query: str = "",
        category: str | Iterable[str] | None = None,
        difficulty: int | Iterable[int] | None = None,
        tags: Iterable[str] | None = None,
        source: str | None = None,
        sort: str = "title",
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
        matches: int | None = None,
    ) -> list[ScenarioListing]:
        """One page of matching scenarios (id, case_id, title, category, difficulty, ...).

        ``matches``: this search's :meth:`count`, when the caller has it (a table does); it lets a
        common word be listed without sorting every match; 0 returns no rows without asking SQLite.
        """
        if matches == 0:
            return []
        search = SearchQuery(
            query, category, difficulty, tags, source, sort, self._common_tags(tags), self._share(category)
        )
        return self.scenarios.search(search, limit, offset, matches, self.total() if matches else None)

    def count(
        self,
        query: str = "",
        category: str | Iterable[str] | None = None,
        difficulty: int | Iterable[int] | None = None,
        tags: Iterable[str] | None = None,
        source: str | None = None,
    ) -> int:
        search = SearchQuery(
            query,
            category,
            difficulty,
            tags,
            source,
            common_tags=self._common_tags(tags),
            category_share=self._share(category),
        )
        return self.scenarios.count(search)

    def category_counts(
        self,
        query: str = "",
        difficulty: int | Iterable[int] | None = None,
        tags: Iterable[str] | None = None,
        source: str | None = None,
    ) -> list[tuple[str, int]]:
        """Every category with how many scenarios in it match the search and the other filters.

        The category filter itself is left out, so the counts say what choosing a category would give.
        """
        if not (query.strip() or difficulty or tags or source):
            return self.categories()
        search = SearchQuery(query, None, difficulty, tags, source, common_tags=self._common_tags(tags))
        counted = self.scenarios.category_counts(search)
        return [(name, counted.get(name, 0)) for name, _ in self.categories()]

    def gentle_example(self) -> ScenarioListing | None:
        """The scenario a newcomer starts with: a bundled one of the lowest difficulty, the calmest at
        the start among those (then by title); any scenario when none is bundled; None when empty."""
        for source in ("authored", None):
            easiest = self.search(source=source, sort="difficulty", limit=1)
            if easiest:
                return self.search(source=source, difficulty=easiest[0].difficulty, sort="tension", limit=1)[
                    0
                ]
        return None

    def _common_tags(self, tags: Iterable[str] | str | None) -> frozenset[str]:
        """Tags on at least 5% of scenarios (only worked out when a search filters by tag)."""
        if not tags:
            return frozenset()
        if "common_tags" not in self._facets:
            threshold = 0.05 * self.total()
            self._facets["common_tags"] = frozenset(tag.lower() for tag, n in self.tags() if n >= threshold)
        return self._facets["common_tags"]

    def _share(self, category: str | Iterable[str] | None) -> float | None:
        """Share of the library in the chosen categories (None without a category filter)."""
        if not category:
            return None
        chosen = {category} if isinstance(category, str) else set(category)
        return sum(n for name, n in self.categories() if name in chosen) / max(1, self.total())

    def total(self) -> int:
        """Number of scenarios in the library; cached until the library changes."""
        if "total" not in self._facets:
            self._facets["total"] = self.scenarios.total()
        return self._facets["total"]

    def categories(self) -> list[tuple[str, int]]:
        """(category, number of scenarios), alphabetical; cached until the library changes."""
        if "categories" not in self._facets:
            self._facets["categories"] = self.scenarios.categories()
        return self._facets["categories"]

    def tags(self) -> list[tuple[str, int]]:
        """(tag, number of scenarios), most used first; cached until the library changes."""
        if "tags" not in self._facets:
            self._facets["tags"] = self.scenarios.tags()
        return self._facets["tags"]

    # -- changing ----------------------------------------------------------------------------
    def import_path(
        self,
        path: str | Path,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ImportReport:
        """Imports a transcript CSV, a scenario JSON file or a folder of them; every file is imported or reported."""
        try:
            return Importer(self.store).run(path, progress, cancelled)
        finally:
            self._changed()
            self.scenarios.optimize()

    def export(self, ids: Iterable[int] | None, out_path: str | Path) -> int:
        """Writes the given scenarios (all when ``ids`` is None) in the export format; returns the count."""
        if ids is None:
            ids = self.scenarios.ids()
        scenarios = [self.get(scenario_id) for scenario_id in ids]
        if not scenarios:
            raise UserFacingError("There is nothing to export: the selection is empty.")
        try:
            return write_export(scenarios, out_path)
        except OSError as exc:
            raise UserFacingError(
                f"Could not write {out_path}: {exc.strerror or exc}. Nothing was changed."
            ) from exc

    def correct_role(
        self, scenario_id: int, turn_idx: int, role: str, *, whole_speaker: bool = False
    ) -> Scenario:
        """Saves an instructor's role for one turn (or every turn by that speaker) and refreshes the card.

        Imported transcripts derive their character, tension and difficulty from the civilian's
        lines, so those are worked out again; authored cards are left as their author wrote them.
        """
        if role not in ROLES:
            raise UserFacingError(f"'{role}' is not a role; use one of {', '.join(ROLES)}.")
        scenario = self.get(scenario_id)
        if not 0 <= turn_idx < len(scenario.reference_transcript):
            raise UserFacingError(f"Scenario #{scenario_id} has no turn {turn_idx}.")
        speaker = scenario.reference_transcript[turn_idx].speaker
        targets = [
            n
            for n, turn in enumerate(scenario.reference_transcript)
            if n == turn_idx or (whole_speaker and speaker and turn.speaker == speaker)
        ]
        for n in targets:
            scenario.reference_transcript[n].role = role
        if scenario.provenance.source == "imported" and "deescalwild" in scenario.tags:
            scenario = rederive_card(scenario)
        self.scenarios.correct_roles(scenario_id, targets, role, scenario)
        self._changed()
        return self.get(scenario_id)

    def sessions_of(self, scenario_id: int) -> int:
        return self.scenarios.sessions_of(scenario_id)

    def delete(self, scenario_id: int, *, with_sessions: bool = False) -> str:
        """Removes a scenario from the library; returns its title.

        Recorded sessions on it would go with it (they cannot exist without their scenario), so that
        needs ``with_sessions``: a trainee's record is never lost by accident.
        """
        title = self.scenarios.title_of(scenario_id)
        if title is None:
            raise UserFacingError(f"There is no scenario #{scenario_id} in the library.")
        sessions = self.sessions_of(scenario_id)
        if sessions and not with_sessions:
            raise UserFacingError(
                f"Scenario #{scenario_id} has {sessions} recorded session(s), which would be deleted with it; "
                "nothing was deleted. Ask for its sessions to be deleted too."
            )
        self.scenarios.delete(scenario_id)
        self._changed()
        return title

    def _changed(self) -> None:
        self._facets.clear()
