import GRDB
import RidaSurvey

/// Rida's schema, as a list of migrations. A migration that has shipped is never edited:
/// a change is a new migration appended at the end, and its line appended to `MigrationTextTests.landed`, which fails
/// when the text of a landed one changes. Migrations are literal SQL that reads no application type (the rollup
/// columns are spelled out, not taken from `RollupLayout`); two run a named Swift step after their SQL, building the
/// day rollups from the stored responses with the store's own code (`backfillDayRollups`, `rebuildDayRollups`).
enum Migrations {
    /// GRDB's migrator over the same steps (what is applied, what is unknown, migrating part of the way in tests).
    static func migrator(zone: DeploymentZone = .bahrain) -> DatabaseMigrator {
        steps(zone: zone).migrator
    }

    /// The migrations, in order. `zone` is the deployment's time zone: migrations that cut days need it.
    static func steps(zone: DeploymentZone = .bahrain) -> MigrationSteps {
        var migrator = MigrationSteps()
        migrator.registerMigration("v1-responses", sql: """
                CREATE TABLE survey (
                    id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    definition TEXT NOT NULL,
                    PRIMARY KEY (id, version)
                );
                CREATE TABLE import (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    byteCount INTEGER NOT NULL,
                    mapping TEXT,
                    startedAt TEXT NOT NULL,
                    finishedAt TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
                    accepted INTEGER NOT NULL DEFAULT 0,
                    duplicates INTEGER NOT NULL DEFAULT 0,
                    conflicts INTEGER NOT NULL DEFAULT 0,
                    rejected INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE response (
                    id TEXT PRIMARY KEY NOT NULL,
                    centre TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    submittedAt TEXT NOT NULL,
                    quarter TEXT NOT NULL,
                    stage TEXT CHECK (stage IN ('before', 'during', 'after')),
                    q1 INTEGER CHECK (q1 BETWEEN 1 AND 5),
                    q2 INTEGER CHECK (q2 BETWEEN 1 AND 5),
                    q3 INTEGER CHECK (q3 BETWEEN 1 AND 5),
                    q4 INTEGER CHECK (q4 BETWEEN 1 AND 5),
                    service TEXT,
                    counter TEXT,
                    comment TEXT,
                    surveyId TEXT NOT NULL,
                    surveyVersion INTEGER NOT NULL,
                    importId INTEGER REFERENCES import(id),
                    receivedAt TEXT NOT NULL,
                    FOREIGN KEY (surveyId, surveyVersion) REFERENCES survey(id, version)
                );
                CREATE TABLE rollup (
                    quarter TEXT NOT NULL,
                    centre TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    responses INTEGER NOT NULL,
                    q1s1 INTEGER NOT NULL, q1s2 INTEGER NOT NULL, q1s3 INTEGER NOT NULL, q1s4 INTEGER NOT NULL, q1s5 INTEGER NOT NULL,
                    q2s1 INTEGER NOT NULL, q2s2 INTEGER NOT NULL, q2s3 INTEGER NOT NULL, q2s4 INTEGER NOT NULL, q2s5 INTEGER NOT NULL,
                    q3s1 INTEGER NOT NULL, q3s2 INTEGER NOT NULL, q3s3 INTEGER NOT NULL, q3s4 INTEGER NOT NULL, q3s5 INTEGER NOT NULL,
                    q4s1 INTEGER NOT NULL, q4s2 INTEGER NOT NULL, q4s3 INTEGER NOT NULL, q4s4 INTEGER NOT NULL, q4s5 INTEGER NOT NULL,
                    stageBefore INTEGER NOT NULL,
                    stageDuring INTEGER NOT NULL,
                    stageAfter INTEGER NOT NULL,
                    PRIMARY KEY (quarter, centre, channel)
                ) WITHOUT ROWID;
                """)
        migrator.registerMigration("assessment-v1", sql: assessmentV1)
        migrator.registerMigration("reports-v1", sql: reportsV1)
        // API keys of the HTTP service: only the SHA-256 of a key is kept, never the key.
        // Day rollups: the same counts as `rollup`, per local day, for the live display, built from the responses.
        migrator.registerMigration("http-v1", sql: """
                CREATE TABLE apiKey (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    hash TEXT NOT NULL UNIQUE,
                    label TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('submitter', 'quality', 'evaluator', 'admin')),
                    centre TEXT,
                    channels TEXT,
                    createdAt TEXT NOT NULL,
                    lastUsedAt TEXT,
                    revokedAt TEXT,
                    CHECK (role != 'submitter' OR centre IS NOT NULL)
                );
                CREATE TABLE dayRollup (
                    day TEXT NOT NULL,
                    centre TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    responses INTEGER NOT NULL, q1s1 INTEGER NOT NULL, q1s2 INTEGER NOT NULL, q1s3 INTEGER NOT NULL, q1s4 INTEGER NOT NULL, q1s5 INTEGER NOT NULL, q2s1 INTEGER NOT NULL, q2s2 INTEGER NOT NULL, q2s3 INTEGER NOT NULL, q2s4 INTEGER NOT NULL, q2s5 INTEGER NOT NULL, q3s1 INTEGER NOT NULL, q3s2 INTEGER NOT NULL, q3s3 INTEGER NOT NULL, q3s4 INTEGER NOT NULL, q3s5 INTEGER NOT NULL, q4s1 INTEGER NOT NULL, q4s2 INTEGER NOT NULL, q4s3 INTEGER NOT NULL, q4s4 INTEGER NOT NULL, q4s5 INTEGER NOT NULL, stageBefore INTEGER NOT NULL, stageDuring INTEGER NOT NULL, stageAfter INTEGER NOT NULL,
                    PRIMARY KEY (centre, day, channel)
                ) WITHOUT ROWID;
                """, then: "backfillDayRollups") { db in
            try SQLiteStore.backfillDayRollups(in: db, zone: zone)
        }
        migrator.registerMigration("assessment-v2", sql: assessmentV2)
        migrator.registerMigration("verdicts-v1", sql: verdictsV1)
        // A file refused whole is recorded too (status failed, nothing stored), with the sentence that said why.
        migrator.registerMigration("imports-v1-refusals", sql: "ALTER TABLE import ADD COLUMN reason TEXT")
        migrator.registerMigration("ops-display-keys", sql: opsDisplayKeys)
        // http-v1 built the day rollups from every stored response; saving keeps only responses submitted within
        // `dayRollupWindow` days of their receipt. Rebuilt by that rule, so `rida db check` recounts them alike.
        migrator.registerMigration("ops-day-rollups-window", sql: "", then: "rebuildDayRollups") { db in
            try SQLiteStore.rebuildDayRollups(in: db, zone: zone)
        }
        migrator.registerMigration("verdicts-units-v1", sql: verdictsUnitsV1)
        // Issue 11 point 10: the process (pid and host name) that runs an import, so a record left `running` by a killed
        // `rida import` reads as interrupted once that process is gone.
        migrator.registerMigration("hardening-import-owner", sql: """
                ALTER TABLE import ADD COLUMN ownerPid INTEGER;
                ALTER TABLE import ADD COLUMN ownerHost TEXT;
                """)
        migrator.registerMigration("misuse-v1", sql: misuseV1)
        migrator.registerMigration("cases-v1", sql: casesV1)
        migrator.registerMigration("invitations-v1", sql: invitationsV1)
        migrator.registerMigration("served-v1", sql: servedV1)
        migrator.registerMigration("signs-v1", sql: signsV1)
        migrator.registerMigration("widgets-v1", sql: widgetsV1)
        return migrator
    }

    /// Issue 15 point 1, invitations: a service just done, registered by the entity's system, answered once through a
    /// one-time link. The token is kept only as its SHA-256; the quarter (of registration) serves the response rates.
    static let invitationsV1 = """
        CREATE TABLE invitation (
            id INTEGER PRIMARY KEY,
            tokenHash TEXT NOT NULL UNIQUE,
            centre TEXT NOT NULL,
            channel TEXT NOT NULL,
            service TEXT,
            counter TEXT,
            stage TEXT CHECK (stage IN ('before', 'during', 'after')),
            quarter TEXT NOT NULL,
            createdAt TEXT NOT NULL,
            expiresAt TEXT NOT NULL,
            createdBy TEXT,
            openedAt TEXT,
            answeredAt TEXT,
            responseId TEXT REFERENCES response (id),
            CHECK ((answeredAt IS NULL) = (responseId IS NULL))
        );
        CREATE INDEX invitation_by_quarter ON invitation (quarter, centre, channel);
        """

    /// Issue 15 point 4: the customers a centre served through a channel in a quarter, as the entity counted them
    /// (`rida import --kind served`), the denominator of the channel's response rate. A count imported again for the
    /// same centre, channel and quarter replaces the earlier one; `importId` says which import gave it.
    static let servedV1 = """
        CREATE TABLE customersServed (
            centre TEXT NOT NULL,
            channel TEXT NOT NULL,
            quarter TEXT NOT NULL CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
            customers INTEGER NOT NULL CHECK (customers >= 0),
            importId INTEGER REFERENCES import (id),
            recordedAt TEXT NOT NULL,
            PRIMARY KEY (centre, channel, quarter)
        ) WITHOUT ROWID;
        """

    /// Issue 15 point 3: survey widgets, their publishable keys kept as they are (they are printed in public pages);
    /// channels and origins each a space-separated list.
    static let widgetsV1 = """
        CREATE TABLE widget (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL,
            centre TEXT NOT NULL,
            channels TEXT NOT NULL,
            origins TEXT NOT NULL,
            createdAt TEXT NOT NULL,
            revokedAt TEXT
        );
        """

    /// Issue 15 point 2, QR signs: one per centre, channel and counter (the counter '' for a channel's own sign), its
    /// token printed in public and kept as it is.
    static let signsV1 = """
        CREATE TABLE sign (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            centre TEXT NOT NULL,
            channel TEXT NOT NULL,
            counter TEXT NOT NULL DEFAULT '',
            createdAt TEXT NOT NULL,
            UNIQUE (centre, channel, counter)
        );
        """

    /// Issue 16 point 1, follow-up cases: one per response at most, opened in the save's transaction; the customer's
    /// phone and e-mail only here (never in `response`), set to NULL when erased; what was done to a case, in order.
    /// The partial index finds the finished cases whose contacts are still kept, paying nothing for erased ones.
    static let casesV1 = """
        CREATE TABLE followUpCase (
            id INTEGER PRIMARY KEY,
            responseId TEXT NOT NULL UNIQUE REFERENCES response (id),
            centre TEXT NOT NULL,
            channel TEXT NOT NULL,
            quarter TEXT NOT NULL,
            reason TEXT NOT NULL,
            openedAt TEXT NOT NULL,
            dueAt TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'contacted', 'resolved', 'closed')),
            owner TEXT,
            finishedAt TEXT,
            closeReason TEXT,
            phone TEXT,
            email TEXT,
            erasedAt TEXT,
            CHECK ((status IN ('resolved', 'closed')) = (finishedAt IS NOT NULL))
        );
        CREATE INDEX followUpCase_by_quarter ON followUpCase (quarter, centre, channel);
        CREATE INDEX followUpCase_kept_contacts ON followUpCase (finishedAt) WHERE erasedAt IS NULL AND finishedAt IS NOT NULL;
        CREATE TABLE followUpEvent (
            id INTEGER PRIMARY KEY,
            caseId INTEGER NOT NULL REFERENCES followUpCase (id),
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX followUpEvent_by_case ON followUpEvent (caseId, id);
        CREATE TRIGGER followUpEvent_is_kept BEFORE DELETE ON followUpEvent
        BEGIN SELECT RAISE(ABORT, 'a case''s history is never deleted'); END;
        CREATE TRIGGER followUpEvent_is_frozen BEFORE UPDATE ON followUpEvent
        BEGIN SELECT RAISE(ABORT, 'a case''s history is never changed'); END;
        """

    /// Issue 16 point 2: who sent a response (`key:<id>`; nil for a file imported), whether a misuse rule set it aside
    /// (the rule's name: it is then out of the rollups and the comments) or the quality team reinstated it for good, and
    /// each reinstatement with who decided it and why. The index by source serves the rules' look at a device's
    /// timeline; the partial index by set-aside rule the report's count of them, paying nothing for counted responses.
    static let misuseV1 = """
        ALTER TABLE response ADD COLUMN source TEXT;
        ALTER TABLE response ADD COLUMN setAside TEXT CHECK (setAside IN ('burst', 'identical', 'too-fast'));
        ALTER TABLE response ADD COLUMN reinstated INTEGER NOT NULL DEFAULT 0 CHECK (reinstated IN (0, 1));
        CREATE INDEX response_by_source ON response (source, submittedAt) WHERE source IS NOT NULL;
        CREATE INDEX response_set_aside ON response (quarter, centre, channel, setAside) WHERE setAside IS NOT NULL;
        CREATE TABLE misuseDecision (
            id INTEGER PRIMARY KEY,
            responseId TEXT NOT NULL REFERENCES response (id),
            rule TEXT NOT NULL,
            decidedBy TEXT NOT NULL,
            reason TEXT NOT NULL,
            decidedAt TEXT NOT NULL
        );
        CREATE TRIGGER misuseDecision_is_kept BEFORE DELETE ON misuseDecision
        BEGIN SELECT RAISE(ABORT, 'a reinstatement is never deleted'); END;
        CREATE TRIGGER misuseDecision_is_frozen BEFORE UPDATE ON misuseDecision
        BEGIN SELECT RAISE(ABORT, 'a reinstatement is never changed'); END;
        """

    /// Issue 10 point 6, the units the guide assesses separately (guide-notes decision 15): who runs a centre, the
    /// government entities serving there and the guide's exclusions, in the registry and its log; the entity a response
    /// names (optional), indexed only where given, so the ingest of responses without one pays nothing for it.
    static let verdictsUnitsV1 = """
        ALTER TABLE centre ADD COLUMN operator TEXT CHECK (operator IN ('government', 'private', 'civil-society'));
        ALTER TABLE centre ADD COLUMN servingEntities TEXT NOT NULL DEFAULT '';
        ALTER TABLE centre ADD COLUMN exclusion TEXT CHECK (exclusion IN ('health', 'financial', 'education', 'temporary'));
        ALTER TABLE centreChange ADD COLUMN operator TEXT;
        ALTER TABLE centreChange ADD COLUMN servingEntities TEXT NOT NULL DEFAULT '';
        ALTER TABLE centreChange ADD COLUMN exclusion TEXT;
        ALTER TABLE response ADD COLUMN entity TEXT;
        CREATE INDEX response_by_entity ON response(centre, entity, quarter) WHERE entity IS NOT NULL;
        ALTER TABLE assessment ADD COLUMN entity TEXT;
        """

    /// Issue 10, the verdicts the guide would give: an assessment's period (nil: the cycle's four quarters); closing an
    /// assessment, with the computed verdicts frozen at that moment, figures and all (both append-only); Tawasul records
    /// by type, with the export's own due date; the forms' descriptive evaluation (append-only, the latest per item counts).
    static let verdictsV1 = """
        ALTER TABLE assessment ADD COLUMN firstQuarter TEXT;
        ALTER TABLE assessment ADD COLUMN lastQuarter TEXT;
        CREATE TABLE assessmentClosing (
            assessmentId TEXT PRIMARY KEY NOT NULL REFERENCES assessment(id),
            closedAt TEXT NOT NULL,
            closedBy TEXT NOT NULL,
            quarters TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE assessmentFrozenVerdict (
            assessmentId TEXT NOT NULL REFERENCES assessmentClosing(assessmentId),
            criterion TEXT NOT NULL,
            outcome TEXT NOT NULL,
            computed TEXT NOT NULL,
            PRIMARY KEY (assessmentId, criterion)
        ) WITHOUT ROWID;
        CREATE TRIGGER assessmentClosing_is_kept BEFORE DELETE ON assessmentClosing
        BEGIN SELECT RAISE(ABORT, 'a closed assessment stays closed'); END;
        CREATE TRIGGER assessmentClosing_is_fixed BEFORE UPDATE ON assessmentClosing
        BEGIN SELECT RAISE(ABORT, 'a closed assessment stays closed'); END;
        CREATE TRIGGER assessmentClosing_is_not_replaced BEFORE INSERT ON assessmentClosing
        WHEN EXISTS (SELECT 1 FROM assessmentClosing WHERE assessmentId = NEW.assessmentId)
        BEGIN SELECT RAISE(ABORT, 'an assessment is closed once'); END;
        CREATE TRIGGER assessmentFrozenVerdict_is_kept BEFORE DELETE ON assessmentFrozenVerdict
        BEGIN SELECT RAISE(ABORT, 'frozen verdicts are never deleted'); END;
        CREATE TRIGGER assessmentFrozenVerdict_is_fixed BEFORE UPDATE ON assessmentFrozenVerdict
        BEGIN SELECT RAISE(ABORT, 'frozen verdicts are never changed'); END;
        CREATE TRIGGER assessmentFrozenVerdict_is_not_replaced BEFORE INSERT ON assessmentFrozenVerdict
        WHEN EXISTS (SELECT 1 FROM assessmentFrozenVerdict WHERE assessmentId = NEW.assessmentId AND criterion = NEW.criterion)
        BEGIN SELECT RAISE(ABORT, 'frozen verdicts are never replaced'); END;
        ALTER TABLE tawasulComplaint ADD COLUMN type TEXT NOT NULL DEFAULT 'complaint'
            CHECK (type IN ('complaint', 'suggestion', 'inquiry', 'thanks'));
        ALTER TABLE tawasulComplaint ADD COLUMN dueAt TEXT;
        CREATE TABLE assessmentDescription (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            assessmentId TEXT NOT NULL REFERENCES assessment(id),
            item TEXT NOT NULL CHECK (item IN ('strengths', 'development', 'channelStrengths', 'services')),
            text TEXT NOT NULL,
            evaluator TEXT NOT NULL,
            recordedAt TEXT NOT NULL
        );
        CREATE INDEX assessmentDescription_on_assessment ON assessmentDescription(assessmentId, item, id);
        CREATE TRIGGER assessmentDescription_is_kept BEFORE DELETE ON assessmentDescription
        BEGIN SELECT RAISE(ABORT, 'the descriptive evaluation is append-only: texts are never deleted'); END;
        CREATE TRIGGER assessmentDescription_is_fixed BEFORE UPDATE ON assessmentDescription
        BEGIN SELECT RAISE(ABORT, 'the descriptive evaluation is append-only: record a new text instead'); END;
        CREATE TRIGGER assessmentDescription_is_not_replaced BEFORE INSERT ON assessmentDescription
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM assessmentDescription WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'the descriptive evaluation is append-only: texts are never replaced'); END;
        """

    /// Display keys: bound to one centre like a submitter key, they read only its live figures. SQLite changes a
    /// CHECK constraint only by rebuilding the table; ids, hashes and times are copied as they are.
    static let opsDisplayKeys = """
        CREATE TABLE apiKey_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            hash TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('submitter', 'quality', 'evaluator', 'admin', 'display')),
            centre TEXT,
            channels TEXT,
            createdAt TEXT NOT NULL,
            lastUsedAt TEXT,
            revokedAt TEXT,
            CHECK (role NOT IN ('submitter', 'display') OR centre IS NOT NULL),
            CHECK (role != 'display' OR channels IS NULL)
        );
        INSERT INTO apiKey_new (id, hash, label, role, centre, channels, createdAt, lastUsedAt, revokedAt)
            SELECT id, hash, label, role, centre, channels, createdAt, lastUsedAt, revokedAt FROM apiKey ORDER BY id;
        DROP TABLE apiKey;
        ALTER TABLE apiKey_new RENAME TO apiKey;
        """

    /// What the assessment keeps is kept: decline reasons, saved reports and their actions are never deleted or replaced;
    /// a report's status only moves forward and its identity never changes; an action's status changes are a history of
    /// their own; a correction's actions carried over name the one they copy; the registry's changes are logged, each
    /// row the centre as it stood after the change (the log starts with every centre as it stands now).
    static let assessmentV2 = """
        CREATE TRIGGER declineReason_is_kept BEFORE DELETE ON declineReason
        BEGIN SELECT RAISE(ABORT, 'decline reasons are never deleted: record another reason'); END;
        CREATE TRIGGER declineReason_is_fixed BEFORE UPDATE ON declineReason
        BEGIN SELECT RAISE(ABORT, 'decline reasons are never changed: record another reason'); END;
        CREATE TRIGGER declineReason_is_not_replaced BEFORE INSERT ON declineReason
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM declineReason WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'decline reasons are never replaced'); END;

        CREATE TRIGGER savedReport_is_kept BEFORE DELETE ON savedReport
        BEGIN SELECT RAISE(ABORT, 'saved reports are never deleted'); END;
        -- REPLACE deletes whatever row a unique constraint clashes with, without firing DELETE triggers: the id, and
        -- the one published correction per report (savedReport_one_published_correction), on insert and on update.
        CREATE TRIGGER savedReport_is_not_replaced BEFORE INSERT ON savedReport
        WHEN (NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM savedReport WHERE id = NEW.id))
          OR (NEW.replaces IS NOT NULL AND NEW.status = 'published'
              AND EXISTS (SELECT 1 FROM savedReport WHERE replaces = NEW.replaces AND status = 'published'))
        BEGIN SELECT RAISE(ABORT, 'saved reports are never replaced'); END;
        CREATE TRIGGER savedReport_one_correction_published BEFORE UPDATE OF status, replaces ON savedReport
        WHEN NEW.replaces IS NOT NULL AND NEW.status = 'published'
          AND EXISTS (SELECT 1 FROM savedReport WHERE replaces = NEW.replaces AND status = 'published' AND id <> OLD.id)
        BEGIN SELECT RAISE(ABORT, 'a published report has one published correction: correct the correction instead'); END;
        CREATE TRIGGER savedReport_moves_forward BEFORE UPDATE OF status ON savedReport
        WHEN (CASE NEW.status WHEN 'draft' THEN 0 WHEN 'submitted' THEN 1 ELSE 2 END)
           < (CASE OLD.status WHEN 'draft' THEN 0 WHEN 'submitted' THEN 1 ELSE 2 END)
        BEGIN SELECT RAISE(ABORT, 'a report''s status only moves forward: draft, submitted, published'); END;
        CREATE TRIGGER savedReport_identity_is_fixed BEFORE UPDATE OF scope, quarter, savedAt, savedBy, replaces ON savedReport
        WHEN NEW.scope IS NOT OLD.scope OR NEW.quarter IS NOT OLD.quarter OR NEW.savedAt IS NOT OLD.savedAt
          OR NEW.savedBy IS NOT OLD.savedBy OR NEW.replaces IS NOT OLD.replaces
        BEGIN SELECT RAISE(ABORT, 'a saved report''s scope, quarter, author and what it replaces never change'); END;
        CREATE TRIGGER savedReport_submitted_content_is_fixed
        BEFORE UPDATE OF content, contentSha256, engineVersion, page, pageSha256, submittedAt ON savedReport
        WHEN OLD.status = 'submitted' AND NEW.status = 'submitted'
          AND (NEW.content IS NOT OLD.content OR NEW.contentSha256 IS NOT OLD.contentSha256 OR NEW.engineVersion IS NOT OLD.engineVersion
               OR NEW.page IS NOT OLD.page OR NEW.pageSha256 IS NOT OLD.pageSha256 OR NEW.submittedAt IS NOT OLD.submittedAt)
        BEGIN SELECT RAISE(ABORT, 'a submitted report''s content changes only when it is published'); END;

        CREATE TRIGGER reportAction_is_kept BEFORE DELETE ON reportAction
        BEGIN SELECT RAISE(ABORT, 'actions are never deleted: record their status instead'); END;
        CREATE TRIGGER reportAction_is_fixed BEFORE UPDATE ON reportAction
        BEGIN SELECT RAISE(ABORT, 'actions are never changed: record their status instead'); END;
        CREATE TRIGGER reportAction_is_not_replaced BEFORE INSERT ON reportAction
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM reportAction WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'actions are never replaced'); END;
        ALTER TABLE reportAction ADD COLUMN copiedFrom INTEGER REFERENCES reportAction(id);
        CREATE TABLE reportActionStatus (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            actionId INTEGER NOT NULL REFERENCES reportAction(id),
            status TEXT NOT NULL CHECK (status IN ('open', 'inProgress', 'done', 'dropped')),
            note TEXT,
            who TEXT NOT NULL,
            recordedAt TEXT NOT NULL
        );
        CREATE INDEX reportActionStatus_on_action ON reportActionStatus(actionId, id);
        CREATE TRIGGER reportActionStatus_is_kept BEFORE DELETE ON reportActionStatus
        BEGIN SELECT RAISE(ABORT, 'an action''s status history is append-only'); END;
        CREATE TRIGGER reportActionStatus_is_fixed BEFORE UPDATE ON reportActionStatus
        BEGIN SELECT RAISE(ABORT, 'an action''s status history is append-only: record a new status'); END;
        CREATE TRIGGER reportActionStatus_is_not_replaced BEFORE INSERT ON reportActionStatus
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM reportActionStatus WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'an action''s status history is append-only'); END;

        CREATE TABLE centreChange (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            centreId TEXT NOT NULL,
            changedAt TEXT NOT NULL,
            entityId TEXT,
            kind TEXT,
            channels TEXT NOT NULL,
            nameAr TEXT,
            nameEn TEXT
        );
        CREATE INDEX centreChange_on_centre ON centreChange(centreId, id);
        CREATE TRIGGER centreChange_is_kept BEFORE DELETE ON centreChange
        BEGIN SELECT RAISE(ABORT, 'the registry''s log is append-only'); END;
        CREATE TRIGGER centreChange_is_fixed BEFORE UPDATE ON centreChange
        BEGIN SELECT RAISE(ABORT, 'the registry''s log is append-only'); END;
        CREATE TRIGGER centreChange_is_not_replaced BEFORE INSERT ON centreChange
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM centreChange WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'the registry''s log is append-only'); END;
        INSERT INTO centreChange (centreId, changedAt, entityId, kind, channels, nameAr, nameEn)
            SELECT id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), entityId, kind, channels, nameAr, nameEn FROM centre ORDER BY id;
        """

    /// The assessment core: the registry of entities and centres, assessments and their append-only history,
    /// evidence records (Tawasul complaints, contacts, reply scores), saved quarterly reports with their actions,
    /// decline reasons and the days the live display served a centre. See docs/assessment.md.
    static let assessmentV1 = """
        CREATE TABLE entity (
            id TEXT PRIMARY KEY NOT NULL,
            nameAr TEXT,
            nameEn TEXT
        );
        CREATE TABLE centre (
            id TEXT PRIMARY KEY NOT NULL,
            entityId TEXT REFERENCES entity(id),
            nameAr TEXT,
            nameEn TEXT,
            kind TEXT CHECK (kind IN ('headquarters', 'remote')),
            channels TEXT NOT NULL DEFAULT '',
            firstSeenAt TEXT NOT NULL,
            firstSeenIn TEXT NOT NULL CHECK (firstSeenIn IN ('registry', 'import'))
        );
        CREATE UNIQUE INDEX centre_one_remote_per_entity ON centre(entityId) WHERE kind = 'remote';
        CREATE TABLE assessment (
            id TEXT PRIMARY KEY NOT NULL,
            framework INTEGER NOT NULL CHECK (framework IN (1, 2)),
            unit TEXT NOT NULL,
            cycle INTEGER NOT NULL,
            openedAt TEXT NOT NULL,
            openedBy TEXT NOT NULL,
            UNIQUE (framework, unit, cycle)
        );
        CREATE TABLE assessmentEntry (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            assessmentId TEXT NOT NULL REFERENCES assessment(id),
            criterion TEXT NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('met', 'notMet', 'notApplicable', 'pending', 'computed')),
            evaluator TEXT NOT NULL,
            recordedAt TEXT NOT NULL,
            note TEXT,
            mechanism TEXT,
            evidence TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX assessmentEntry_on_assessment ON assessmentEntry(assessmentId, criterion, id);
        CREATE TRIGGER assessment_is_kept BEFORE DELETE ON assessment
        BEGIN SELECT RAISE(ABORT, 'assessments are never deleted'); END;
        CREATE TRIGGER assessment_is_fixed BEFORE UPDATE ON assessment
        BEGIN SELECT RAISE(ABORT, 'an assessment is never changed once opened'); END;
        CREATE TRIGGER assessmentEntry_is_kept BEFORE DELETE ON assessmentEntry
        BEGIN SELECT RAISE(ABORT, 'the assessment history is append-only: entries are never deleted'); END;
        CREATE TRIGGER assessmentEntry_is_fixed BEFORE UPDATE ON assessmentEntry
        BEGIN SELECT RAISE(ABORT, 'the assessment history is append-only: record a new entry instead'); END;
        -- INSERT OR REPLACE deletes the old row without firing DELETE triggers: refuse an insert onto an existing row.
        CREATE TRIGGER assessment_is_not_replaced BEFORE INSERT ON assessment
        WHEN EXISTS (SELECT 1 FROM assessment WHERE id = NEW.id OR (framework = NEW.framework AND unit = NEW.unit AND cycle = NEW.cycle))
        BEGIN SELECT RAISE(ABORT, 'an assessment is never replaced once opened'); END;
        CREATE TRIGGER assessmentEntry_is_not_replaced BEFORE INSERT ON assessmentEntry
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM assessmentEntry WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'the assessment history is append-only: entries are never replaced'); END;
        CREATE TABLE tawasulComplaint (
            id TEXT PRIMARY KEY NOT NULL,
            entity TEXT NOT NULL,
            channel TEXT NOT NULL,
            topic TEXT,
            receivedAt TEXT NOT NULL,
            quarter TEXT NOT NULL,
            answeredAt TEXT,
            slaDays INTEGER NOT NULL CHECK (slaDays > 0),
            status TEXT,
            importId INTEGER REFERENCES import(id)
        );
        CREATE INDEX tawasulComplaint_on_entity ON tawasulComplaint(entity, quarter);
        CREATE TABLE contact (
            entity TEXT NOT NULL,
            id TEXT NOT NULL,
            channel TEXT NOT NULL,
            contactedAt TEXT NOT NULL,
            quarter TEXT NOT NULL,
            answeredAt TEXT,
            importId INTEGER REFERENCES import(id),
            PRIMARY KEY (entity, id)
        );
        CREATE TABLE replyScore (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            complaintId TEXT NOT NULL,
            entity TEXT NOT NULL,
            evaluator TEXT NOT NULL,
            scoredAt TEXT NOT NULL,
            q1 INTEGER NOT NULL CHECK (q1 BETWEEN 1 AND 5),
            q2 INTEGER NOT NULL CHECK (q2 BETWEEN 1 AND 5),
            q3 INTEGER NOT NULL CHECK (q3 BETWEEN 1 AND 5),
            q4 INTEGER NOT NULL CHECK (q4 BETWEEN 1 AND 5),
            note TEXT
        );
        CREATE INDEX replyScore_on_entity ON replyScore(entity);
        CREATE TABLE savedReport (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            quarter TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published')),
            savedAt TEXT NOT NULL,
            savedBy TEXT NOT NULL,
            submittedAt TEXT,
            publishedAt TEXT
        );
        CREATE INDEX savedReport_on_scope ON savedReport(scope, quarter);
        CREATE TABLE reportAction (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            reportId INTEGER NOT NULL REFERENCES savedReport(id),
            who TEXT NOT NULL,
            what TEXT NOT NULL,
            due TEXT,
            status TEXT NOT NULL CHECK (status IN ('open', 'done')),
            recordedAt TEXT NOT NULL
        );
        CREATE INDEX reportAction_on_report ON reportAction(reportId);
        CREATE TABLE declineReason (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            channel TEXT,
            quarter TEXT NOT NULL,
            reason TEXT NOT NULL,
            who TEXT NOT NULL,
            recordedAt TEXT NOT NULL
        );
        CREATE TABLE liveDisplayDay (
            centre TEXT NOT NULL,
            day TEXT NOT NULL,
            firstAt TEXT NOT NULL,
            PRIMARY KEY (centre, day)
        ) WITHOUT ROWID;
        INSERT INTO centre (id, firstSeenAt, firstSeenIn)
            SELECT DISTINCT centre, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'import' FROM rollup;
        """

    /// The quarterly reports: breakdowns by service (q5, per channel) and counter (q6, per centre: a counter names a
    /// point of service whatever the channel) kept as rollups, comments (q7) in a narrow table keyed for the report's
    /// query, by quarter and centre (`seq` is the response's rowid when stored, so each centre's range grows at its end and
    /// a batch dirties few pages), all maintained in the same
    /// transaction as the responses; and a saved
    /// report's frozen content (snapshot JSON, engine version, SHA-256s, the published page), with corrections
    /// pointing to the version they replace. A published report is frozen: triggers refuse to change or delete it.
    static let reportsV1 = """
        CREATE TABLE serviceRollup (
            quarter TEXT NOT NULL,
            centre TEXT NOT NULL,
            channel TEXT NOT NULL,
            service TEXT NOT NULL,
            responses INTEGER NOT NULL, q1s1 INTEGER NOT NULL, q1s2 INTEGER NOT NULL, q1s3 INTEGER NOT NULL, q1s4 INTEGER NOT NULL, q1s5 INTEGER NOT NULL, q2s1 INTEGER NOT NULL, q2s2 INTEGER NOT NULL, q2s3 INTEGER NOT NULL, q2s4 INTEGER NOT NULL, q2s5 INTEGER NOT NULL, q3s1 INTEGER NOT NULL, q3s2 INTEGER NOT NULL, q3s3 INTEGER NOT NULL, q3s4 INTEGER NOT NULL, q3s5 INTEGER NOT NULL, q4s1 INTEGER NOT NULL, q4s2 INTEGER NOT NULL, q4s3 INTEGER NOT NULL, q4s4 INTEGER NOT NULL, q4s5 INTEGER NOT NULL
            , PRIMARY KEY (quarter, centre, channel, service)
        ) WITHOUT ROWID;
        CREATE TABLE counterRollup (
            quarter TEXT NOT NULL,
            centre TEXT NOT NULL,
            counter TEXT NOT NULL,
            responses INTEGER NOT NULL, q1s1 INTEGER NOT NULL, q1s2 INTEGER NOT NULL, q1s3 INTEGER NOT NULL, q1s4 INTEGER NOT NULL, q1s5 INTEGER NOT NULL, q2s1 INTEGER NOT NULL, q2s2 INTEGER NOT NULL, q2s3 INTEGER NOT NULL, q2s4 INTEGER NOT NULL, q2s5 INTEGER NOT NULL, q3s1 INTEGER NOT NULL, q3s2 INTEGER NOT NULL, q3s3 INTEGER NOT NULL, q3s4 INTEGER NOT NULL, q3s5 INTEGER NOT NULL, q4s1 INTEGER NOT NULL, q4s2 INTEGER NOT NULL, q4s3 INTEGER NOT NULL, q4s4 INTEGER NOT NULL, q4s5 INTEGER NOT NULL
            , PRIMARY KEY (quarter, centre, counter)
        ) WITHOUT ROWID;
        CREATE TABLE comment (
            quarter TEXT NOT NULL,
            centre TEXT NOT NULL,
            channel TEXT NOT NULL,
            seq INTEGER NOT NULL,
            submittedMs INTEGER NOT NULL,
            ratingSum INTEGER NOT NULL,
            ratingCount INTEGER NOT NULL,
            service TEXT,
            text TEXT NOT NULL,
            PRIMARY KEY (quarter, centre, seq)
        ) WITHOUT ROWID;
        INSERT INTO serviceRollup
            SELECT quarter, centre, channel, service, count(*), sum(q1 IS 1), sum(q1 IS 2), sum(q1 IS 3), sum(q1 IS 4), sum(q1 IS 5), sum(q2 IS 1), sum(q2 IS 2), sum(q2 IS 3), sum(q2 IS 4), sum(q2 IS 5), sum(q3 IS 1), sum(q3 IS 2), sum(q3 IS 3), sum(q3 IS 4), sum(q3 IS 5), sum(q4 IS 1), sum(q4 IS 2), sum(q4 IS 3), sum(q4 IS 4), sum(q4 IS 5) FROM response WHERE service IS NOT NULL
            GROUP BY quarter, centre, channel, service;
        INSERT INTO counterRollup
            SELECT quarter, centre, counter, count(*), sum(q1 IS 1), sum(q1 IS 2), sum(q1 IS 3), sum(q1 IS 4), sum(q1 IS 5), sum(q2 IS 1), sum(q2 IS 2), sum(q2 IS 3), sum(q2 IS 4), sum(q2 IS 5), sum(q3 IS 1), sum(q3 IS 2), sum(q3 IS 3), sum(q3 IS 4), sum(q3 IS 5), sum(q4 IS 1), sum(q4 IS 2), sum(q4 IS 3), sum(q4 IS 4), sum(q4 IS 5) FROM response WHERE counter IS NOT NULL
            GROUP BY quarter, centre, counter;
        INSERT INTO comment (quarter, centre, channel, seq, submittedMs, ratingSum, ratingCount, service, text)
            SELECT r.quarter, r.centre, r.channel, r.rowid,
                   CAST(round((julianday(r.submittedAt) - 2440587.5) * 86400000) AS INTEGER),
                   coalesce(r.q1, 0) + coalesce(r.q2, 0) + coalesce(r.q3, 0) + coalesce(r.q4, 0),
                   (r.q1 IS NOT NULL) + (r.q2 IS NOT NULL) + (r.q3 IS NOT NULL) + (r.q4 IS NOT NULL),
                   r.service, r.comment
            FROM response r WHERE r.comment IS NOT NULL;

        ALTER TABLE savedReport ADD COLUMN content TEXT;
        ALTER TABLE savedReport ADD COLUMN contentSha256 TEXT;
        ALTER TABLE savedReport ADD COLUMN engineVersion TEXT;
        ALTER TABLE savedReport ADD COLUMN page TEXT;
        ALTER TABLE savedReport ADD COLUMN pageSha256 TEXT;
        ALTER TABLE savedReport ADD COLUMN replaces INTEGER REFERENCES savedReport(id);
        CREATE UNIQUE INDEX savedReport_one_published_correction ON savedReport(replaces) WHERE replaces IS NOT NULL AND status = 'published';
        CREATE TRIGGER savedReport_published_is_frozen BEFORE UPDATE ON savedReport WHEN OLD.status = 'published'
        BEGIN SELECT RAISE(ABORT, 'a published report is frozen: publish a correction instead'); END;
        CREATE TRIGGER savedReport_published_is_kept BEFORE DELETE ON savedReport WHEN OLD.status = 'published'
        BEGIN SELECT RAISE(ABORT, 'a published report is never deleted: publish a correction instead'); END;
        CREATE TRIGGER savedReport_published_is_whole BEFORE UPDATE OF status ON savedReport WHEN NEW.status = 'published'
            AND (NEW.content IS NULL OR NEW.contentSha256 IS NULL OR NEW.engineVersion IS NULL OR NEW.page IS NULL OR NEW.pageSha256 IS NULL)
        BEGIN SELECT RAISE(ABORT, 'a report is published with its content, engine version, page and their SHA-256'); END;
        """
}

/// Rida's migrations as a list, registered the way GRDB's `DatabaseMigrator` registers them, so that the pending ones
/// can run in one transaction: an upgrade is all or nothing (GRDB's migrator commits each migration on its own).
struct MigrationSteps: Sendable {
    /// One migration: its SQL, run as one script, then (for the two that build rows from the responses) a step in
    /// Swift, named so that the text of a migration (`text`) says it runs.
    struct Step: Sendable {
        var identifier: String
        var sql: String
        var then: (name: String, run: @Sendable (Database) throws -> Void)?

        var migrate: @Sendable (Database) throws -> Void {
            { [sql, then] db in
                if !sql.isEmpty { try db.execute(sql: sql) }
                try then?.run(db)
            }
        }

        /// What `MigrationTextTests` fingerprints: the SQL as run, and the name of its Swift step, if any.
        var text: String { sql + (then.map { "\n-- then: \($0.name)" } ?? "") }
    }

    private(set) var steps: [Step] = []

    mutating func registerMigration(_ identifier: String, sql: String, then name: String? = nil,
                                    _ run: (@Sendable (Database) throws -> Void)? = nil) {
        steps.append(Step(identifier: identifier, sql: sql, then: name.flatMap { name in run.map { (name, $0) } }))
    }

    var identifiers: [String] { steps.map(\.identifier) }

    var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for step in steps { migrator.registerMigration(step.identifier, migrate: step.migrate) }
        return migrator
    }

    /// The migrations not applied to `db` yet, in order.
    func pending(in db: Database) throws -> [String] {
        guard try db.tableExists("grdb_migrations") else { return identifiers }
        let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        return identifiers.filter { !applied.contains($0) }
    }

    /// Applies every pending migration in one transaction, with foreign keys checked once at its end (SQLite's
    /// recipe for altering tables, as GRDB's deferred checks do), and returns their identifiers. On any error
    /// nothing is applied.
    func migrate(_ writer: any DatabaseWriter) throws -> [String] {
        try writer.barrierWriteWithoutTransaction { db in
            guard try !self.pending(in: db).isEmpty else { return [] }
            let byIdentifier = Dictionary(uniqueKeysWithValues: steps.map { ($0.identifier, $0) })
            var pending: [String] = []
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                pending = try self.pending(in: db)  // again, inside the transaction: another process may have migrated
                for identifier in pending {
                    try byIdentifier[identifier]!.migrate(db)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
                }
                try db.checkForeignKeys()
                return .commit
            }
            return pending
        }
    }
}
