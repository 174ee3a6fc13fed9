"""Schema versions, oldest first. ``PRAGMA user_version`` records how many have been applied.

Never edit a released migration: append a new one. Each is applied in one transaction.
"""

MIGRATIONS: list[str] = [
    # 1: the whole first schema.
    """
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE scenarios (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        category TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        difficulty INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
        initial_tension REAL NOT NULL CHECK (initial_tension BETWEEN 0 AND 10),
        location TEXT NOT NULL DEFAULT '',
        scenario_context TEXT NOT NULL DEFAULT '',
        character_name TEXT NOT NULL DEFAULT '',
        card TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('authored', 'imported')),
        source_file TEXT,
        content_hash TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE INDEX scenarios_category ON scenarios(category);
    CREATE INDEX scenarios_source ON scenarios(source);
    CREATE INDEX scenarios_difficulty ON scenarios(difficulty);
    CREATE UNIQUE INDEX scenarios_content_hash ON scenarios(content_hash) WHERE content_hash IS NOT NULL;
    CREATE TABLE reference_turns (
        id INTEGER PRIMARY KEY,
        scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('officer', 'civilian', 'bystander', 'dispatcher', 'other')),
        speaker TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        start_time TEXT,
        role_corrected INTEGER NOT NULL DEFAULT 0,
        UNIQUE (scenario_id, idx)
    );
    CREATE VIRTUAL TABLE scenario_search USING fts5(
        title, scenario_context, character, transcript,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE trainees (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        cohort TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE TABLE language_models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        context_length INTEGER NOT NULL,
        prompt_style TEXT NOT NULL CHECK (prompt_style IN ('completion', 'chat')),
        is_default INTEGER NOT NULL DEFAULT 0,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE TABLE adapters (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        base_model_sha256 TEXT,
        training_summary TEXT NOT NULL DEFAULT '{}',
        metrics TEXT NOT NULL DEFAULT '{}',
        is_active INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
        trainee_id INTEGER REFERENCES trainees(id) ON DELETE SET NULL,
        mode TEXT NOT NULL DEFAULT 'text' CHECK (mode IN ('text', 'voice')),
        status TEXT NOT NULL DEFAULT 'active'
            CHECK (status IN ('active', 'resolved', 'escalated', 'ended', 'interrupted')),
        model_name TEXT,
        adapter_path TEXT,
        seed INTEGER,
        initial_tension REAL NOT NULL,
        final_tension REAL,
        revealed_facts TEXT NOT NULL DEFAULT '[]',
        approved INTEGER NOT NULL DEFAULT 0,
        approved_at TEXT,
        approved_by TEXT,
        started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        ended_at TEXT
    );
    CREATE INDEX sessions_trainee ON sessions(trainee_id);
    CREATE INDEX sessions_scenario ON sessions(scenario_id);
    CREATE TABLE session_turns (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('officer', 'civilian', 'system')),
        text TEXT NOT NULL,
        tension REAL,
        latency_s REAL,
        first_token_s REAL,
        n_tokens INTEGER,
        model_name TEXT,
        adapter_path TEXT,
        audio_path TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (session_id, idx)
    );
    CREATE TABLE turn_scores (
        id INTEGER PRIMARY KEY,
        turn_id INTEGER NOT NULL UNIQUE REFERENCES session_turns(id) ON DELETE CASCADE,
        score REAL NOT NULL CHECK (score BETWEEN 0 AND 100),
        techniques TEXT NOT NULL DEFAULT '[]',
        feedback TEXT NOT NULL DEFAULT '',
        scorer_version TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE TABLE instructor_reviews (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        turn_id INTEGER REFERENCES session_turns(id) ON DELETE CASCADE,
        override_score REAL CHECK (override_score IS NULL OR override_score BETWEEN 0 AND 100),
        mark TEXT CHECK (mark IS NULL OR mark IN ('good', 'bad')),
        comment TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (session_id, turn_id)
    );
    """,
    # 2: scenario library: tags table for filtering, sort indexes, prefix indexes for search-as-you-type.
    """
    CREATE TABLE scenario_tags (
        scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (tag, scenario_id)
    ) WITHOUT ROWID;
    CREATE INDEX scenario_tags_by_scenario ON scenario_tags(scenario_id);
    INSERT OR IGNORE INTO scenario_tags(scenario_id, tag)
        SELECT scenarios.id, trim(json_each.value) FROM scenarios, json_each(scenarios.tags)
        WHERE trim(json_each.value) != '';
    DROP INDEX scenarios_category;
    DROP INDEX scenarios_source;
    DROP INDEX scenarios_difficulty;
    CREATE INDEX scenarios_by_title ON scenarios(title COLLATE NOCASE, id);
    CREATE INDEX scenarios_by_category ON scenarios(category, title COLLATE NOCASE, id);
    CREATE INDEX scenarios_by_difficulty ON scenarios(difficulty, title COLLATE NOCASE, id);
    CREATE INDEX scenarios_by_tension ON scenarios(initial_tension, title COLLATE NOCASE, id);
    CREATE INDEX scenarios_by_source ON scenarios(source, title COLLATE NOCASE, id);
    DROP TABLE scenario_search;
    CREATE VIRTUAL TABLE scenario_search USING fts5(
        title, scenario_context, character, transcript,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
    );
    INSERT INTO scenario_search(rowid, title, scenario_context, character, transcript)
        SELECT s.id, s.title, s.scenario_context || ' ' || s.category || ' ' || s.location,
               s.character_name,
               (SELECT group_concat(t.text, ' ') FROM reference_turns t WHERE t.scenario_id = s.id)
        FROM scenarios s;
    """,
    # 3: scenario_tags again, columns in primary-key order: SQLite 3.40's quick_check wrongly reports
    # "NULL value" in a WITHOUT ROWID table whose columns are declared in another order than its key.
    """
    DROP TABLE scenario_tags;
    CREATE TABLE scenario_tags (
        tag TEXT NOT NULL COLLATE NOCASE,
        scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
        PRIMARY KEY (tag, scenario_id)
    ) WITHOUT ROWID;
    CREATE INDEX scenario_tags_by_scenario ON scenario_tags(scenario_id);
    INSERT OR IGNORE INTO scenario_tags(tag, scenario_id)
        SELECT trim(json_each.value), scenarios.id FROM scenarios, json_each(scenarios.tags)
        WHERE trim(json_each.value) != '';
    """,
    # 4: covering indexes for the library list. The ``card`` column sits before ``source`` in each
    # row and is kilobytes long, so reading ``source`` from the table walks overflow pages; at
    # 150,000 scenarios a filtered list took over 100 ms. These indexes hold every listed column.
    """
    DROP INDEX scenarios_by_title;
    DROP INDEX scenarios_by_category;
    DROP INDEX scenarios_by_difficulty;
    DROP INDEX scenarios_by_tension;
    DROP INDEX scenarios_by_source;
    CREATE INDEX scenarios_list_by_title ON scenarios(
        title COLLATE NOCASE, id, category, difficulty, initial_tension, source, case_id, character_name, tags);
    CREATE INDEX scenarios_list_by_category ON scenarios(
        category, title COLLATE NOCASE, id, difficulty, initial_tension, source, case_id, character_name, tags);
    CREATE INDEX scenarios_list_by_difficulty ON scenarios(
        difficulty, title COLLATE NOCASE, id, category, initial_tension, source, case_id, character_name, tags);
    CREATE INDEX scenarios_list_by_tension ON scenarios(
        initial_tension, title COLLATE NOCASE, id, category, difficulty, source, case_id, character_name, tags);
    CREATE INDEX scenarios_list_by_source ON scenarios(
        source, title COLLATE NOCASE, id, category, difficulty, initial_tension, case_id, character_name, tags);
    CREATE INDEX scenarios_list_by_id ON scenarios(
        id, title COLLATE NOCASE, category, difficulty, initial_tension, source, case_id, character_name, tags);
    """,
    # 5: course packs and session packs (app/packs/FORMAT.md). Every session gets a UUID when it is
    # created (a trigger, whatever code inserts it), kept when it is imported elsewhere, so importing
    # a pack twice finds the same sessions. Imported sessions keep the laptop and pack they came from;
    # ``review_queue`` holds those the instructor has not opened yet; ``pack_files`` remembers which
    # drop-folder files were already read (path, size and time), so a rescan opens only new ones.
    """
    ALTER TABLE sessions ADD COLUMN uuid TEXT;
    ALTER TABLE sessions ADD COLUMN origin TEXT NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'imported'));
    ALTER TABLE sessions ADD COLUMN laptop_id TEXT;
    ALTER TABLE sessions ADD COLUMN laptop_name TEXT;
    ALTER TABLE sessions ADD COLUMN course_id TEXT;
    ALTER TABLE sessions ADD COLUMN assignment_id TEXT;
    ALTER TABLE sessions ADD COLUMN app_version TEXT;
    ALTER TABLE sessions ADD COLUMN pack_id TEXT;
    ALTER TABLE sessions ADD COLUMN imported_at TEXT;
    UPDATE sessions SET uuid = {uuid4};
    CREATE UNIQUE INDEX sessions_by_uuid ON sessions(uuid);
    CREATE TRIGGER sessions_get_a_uuid AFTER INSERT ON sessions WHEN NEW.uuid IS NULL
    BEGIN
        UPDATE sessions SET uuid = {uuid4} WHERE id = NEW.id;
    END;
    CREATE TABLE courses (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
        course_key BLOB NOT NULL,
        settings TEXT NOT NULL DEFAULT '{{}}',
        adapter TEXT,
        created_at TEXT NOT NULL,
        imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE TABLE assignments (
        id TEXT PRIMARY KEY,
        course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
        due_at TEXT
    );
    CREATE INDEX assignments_by_course ON assignments(course_id, position);
    CREATE TABLE review_queue (
        session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE TABLE pack_files (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    """.format(
        uuid4="lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)"
        " || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-'"
        " || hex(randomblob(6)))"
    ),
]

LATEST_VERSION = len(MIGRATIONS)
