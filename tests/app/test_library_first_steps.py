"""What a newcomer meets first: the gentle example scenario, and category counts that follow the search."""

from __future__ import annotations

import threading
import time

from deescal.app.library import LibraryService


def test_the_gentle_example_is_an_easiest_calmest_bundled_scenario(ctx):
    library = ctx.service(LibraryService)
    example = library.gentle_example()
    bundled = library.search(source="authored", limit=10_000)
    easiest = min(s.difficulty for s in bundled)
    calmest = min(s.initial_tension for s in bundled if s.difficulty == easiest)
    assert example.source == "authored" and example.difficulty == easiest == 1
    assert example.initial_tension == calmest
    assert example.title == min(
        (s.title for s in bundled if (s.difficulty, s.initial_tension) == (easiest, calmest)), key=str.lower
    )
    first_by_title = library.search(limit=1)[0]  # what the Library used to select on its own
    assert first_by_title.difficulty == 5 and example.id != first_by_title.id


def test_the_gentle_example_follows_the_rule_not_an_id(ctx):
    library = ctx.service(LibraryService)
    first = library.gentle_example()
    library.delete(first.id)
    second = library.gentle_example()
    assert second.id != first.id and second.difficulty == 1


def test_category_counts_follow_the_search_and_other_filters(ctx):
    library = ctx.service(LibraryService)
    categories = [name for name, _ in library.categories()]
    assert library.category_counts() == library.categories()
    counts = library.category_counts("knife", difficulty=[3, 4, 5])
    assert [name for name, _ in counts] == categories  # every category listed, zero or not
    assert dict(counts) == {c: library.count("knife", category=c, difficulty=[3, 4, 5]) for c in categories}
    assert 0 < sum(n for _, n in counts) == library.count("knife", difficulty=[3, 4, 5]) < library.total()
    tag = library.tags()[0][0]
    assert dict(library.category_counts(tags=[tag], source="authored")) == {
        c: library.count(tags=[tag], source="authored", category=c) for c in categories
    }


class SlowToBuild:
    """A service whose construction takes a while, as the library's does on a first start."""

    built = 0

    def __init__(self, ctx) -> None:
        time.sleep(0.2)
        SlowToBuild.built += 1


def test_a_service_asked_for_by_two_threads_at_once_is_built_once(ctx):
    got = []
    threads = [threading.Thread(target=lambda: got.append(ctx.service(SlowToBuild))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SlowToBuild.built == 1 and got[0] is got[1]
