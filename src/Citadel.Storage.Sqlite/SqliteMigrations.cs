namespace Citadel.Storage.Sqlite;

/// <summary>The SQLite schema, as an ordered list of migrations. Append; never edit a released step.</summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "keys, key material, aliases, tags, access keys", """
            CREATE TABLE access_keys (
                access_key_id   TEXT PRIMARY KEY,
                account_id      TEXT NOT NULL,
                principal_arn   TEXT NOT NULL,
                principal_type  INTEGER NOT NULL,
                principal_id    TEXT NOT NULL,
                sealed_secret   BLOB NOT NULL,
                created_at      INTEGER NOT NULL
            );
            CREATE TABLE keys (
                key_id                   TEXT PRIMARY KEY,
                account_id               TEXT NOT NULL,
                region                   TEXT NOT NULL,
                created_at               INTEGER NOT NULL,
                state                    INTEGER NOT NULL,
                description              TEXT NOT NULL,
                spec                     INTEGER NOT NULL,
                usage                    INTEGER NOT NULL,
                origin                   INTEGER NOT NULL,
                manager                  INTEGER NOT NULL,
                policy                   TEXT NOT NULL,
                deletion_date            INTEGER NULL,
                pending_window_days      INTEGER NULL,
                current_material_version INTEGER NOT NULL,
                current_material_id      TEXT NOT NULL,
                rotation_enabled         INTEGER NOT NULL,
                rotation_period_days     INTEGER NULL,
                next_rotation_at         INTEGER NULL,
                row_version              INTEGER NOT NULL
            );
            CREATE INDEX keys_by_account ON keys (account_id, region, key_id);
            CREATE INDEX keys_by_deletion ON keys (deletion_date) WHERE deletion_date IS NOT NULL;
            CREATE TABLE key_materials (
                key_id          TEXT NOT NULL,
                version         INTEGER NOT NULL,
                material_id     TEXT NOT NULL,
                sealed_material BLOB NOT NULL,
                created_at      INTEGER NOT NULL,
                origin          INTEGER NOT NULL,
                PRIMARY KEY (key_id, version)
            );
            CREATE TABLE aliases (
                account_id    TEXT NOT NULL,
                region        TEXT NOT NULL,
                name          TEXT NOT NULL,
                target_key_id TEXT NOT NULL,
                created_at    INTEGER NOT NULL,
                updated_at    INTEGER NOT NULL,
                PRIMARY KEY (account_id, region, name)
            );
            CREATE INDEX aliases_by_key ON aliases (target_key_id);
            CREATE TABLE tags (
                key_id    TEXT NOT NULL,
                tag_key   TEXT NOT NULL,
                tag_value TEXT NOT NULL,
                PRIMARY KEY (key_id, tag_key)
            );
            """),
        new(2, "index of keys due for automatic rotation", """
            CREATE INDEX keys_by_rotation ON keys (next_rotation_at) WHERE rotation_enabled = 1;
            """),
        new(3, "accounts, principals, identity policies, grants", """
            CREATE TABLE accounts (
                account_id TEXT PRIMARY KEY,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE principals (
                arn          TEXT PRIMARY KEY,
                account_id   TEXT NOT NULL,
                type         INTEGER NOT NULL,
                name         TEXT NOT NULL,
                principal_id TEXT NOT NULL,
                created_at   INTEGER NOT NULL
            );
            CREATE INDEX principals_by_account ON principals (account_id, arn);
            CREATE TABLE identity_policies (
                principal_arn TEXT NOT NULL,
                name          TEXT NOT NULL,
                document      TEXT NOT NULL,
                PRIMARY KEY (principal_arn, name)
            );
            CREATE TABLE identity_version (
                id      INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            );
            INSERT INTO identity_version (id, version) VALUES (1, 1);
            CREATE TABLE grants (
                grant_id           TEXT NOT NULL,
                key_id             TEXT NOT NULL,
                name               TEXT NOT NULL,
                grantee_principal  TEXT NOT NULL,
                retiring_principal TEXT NULL,
                issuing_account    TEXT NOT NULL,
                operations         TEXT NOT NULL,
                constraints        TEXT NULL,
                created_at         INTEGER NOT NULL,
                PRIMARY KEY (key_id, grant_id)
            );
            CREATE INDEX grants_by_retiring ON grants (retiring_principal) WHERE retiring_principal IS NOT NULL;
            """),
        new(4, "audit trail", """
            CREATE TABLE audit_events (
                chain_id      TEXT NOT NULL,
                seq           INTEGER NOT NULL,
                event_id      TEXT NOT NULL,
                event_time    INTEGER NOT NULL,
                account_id    TEXT NOT NULL,
                event_name    TEXT NOT NULL,
                event_source  TEXT NOT NULL,
                username      TEXT NULL,
                access_key_id TEXT NULL,
                resource_name TEXT NULL,
                read_only     INTEGER NOT NULL,
                record        TEXT NOT NULL,
                prev_hash     TEXT NOT NULL,
                hash          TEXT NOT NULL,
                PRIMARY KEY (chain_id, seq)
            );
            CREATE INDEX audit_by_account_time ON audit_events (account_id, event_time);
            CREATE INDEX audit_by_event_id ON audit_events (event_id);
            CREATE INDEX audit_by_resource ON audit_events (resource_name, event_time);
            CREATE TABLE audit_chains (
                chain_id          TEXT PRIMARY KEY,
                head_seq          INTEGER NOT NULL,
                head_hash         TEXT NOT NULL,
                retained_from_seq INTEGER NOT NULL
            );
            """),
        new(5, "imported key material: import state, expiry, description, rotation date", """
            ALTER TABLE key_materials ADD COLUMN import_state INTEGER NULL;
            ALTER TABLE key_materials ADD COLUMN expiration_model INTEGER NULL;
            ALTER TABLE key_materials ADD COLUMN valid_to INTEGER NULL;
            ALTER TABLE key_materials ADD COLUMN description TEXT NULL;
            ALTER TABLE key_materials ADD COLUMN rotated_at INTEGER NULL;
            CREATE INDEX key_materials_by_expiry ON key_materials (valid_to) WHERE valid_to IS NOT NULL;
            """),
        new(6, "audit events by resource: the hours a resource was used, and an index by second and resource", """
            CREATE TABLE audit_resource_hours (
                resource_name TEXT NOT NULL,
                hour          INTEGER NOT NULL,
                PRIMARY KEY (resource_name, hour)
            ) WITHOUT ROWID;
            CREATE INDEX audit_resource_hours_by_hour ON audit_resource_hours (hour);
            INSERT OR IGNORE INTO audit_resource_hours (resource_name, hour)
                SELECT resource_name, event_time / 3600000 FROM audit_events WHERE resource_name IS NOT NULL;
            DROP INDEX audit_by_resource;
            CREATE INDEX audit_by_second_resource ON audit_events (event_time / 1000, resource_name);
            """),
        new(7, "root key check: a constant sealed under the root key, checked at every start", """
            CREATE TABLE root_key_check (
                id          INTEGER PRIMARY KEY CHECK (id = 1),
                sealed      BLOB NOT NULL,
                created_at  INTEGER NOT NULL
            );
            """),
        new(8, "root key rotation under way: the new root key and its check value", """
            CREATE TABLE root_key_rotation (
                id            INTEGER PRIMARY KEY CHECK (id = 1),
                target        TEXT NOT NULL,
                target_check  BLOB NOT NULL,
                started_at    INTEGER NOT NULL
            );
            """),
        new(9, "roles: trust policy and maximum session duration", """
            ALTER TABLE principals ADD COLUMN trust_policy TEXT NULL;
            ALTER TABLE principals ADD COLUMN max_session_duration INTEGER NULL;
            """),
        new(10, "IAM API: paths and role descriptions of users and roles, their tags, access key status", """
            CREATE TABLE iam_entities (
                arn         TEXT PRIMARY KEY REFERENCES principals (arn) ON DELETE CASCADE,
                path        TEXT NOT NULL,
                description TEXT NULL
            );
            CREATE TABLE principal_tags (
                principal_arn TEXT NOT NULL REFERENCES principals (arn) ON DELETE CASCADE,
                tag_key       TEXT NOT NULL,
                tag_value     TEXT NOT NULL,
                PRIMARY KEY (principal_arn, tag_key)
            );
            CREATE INDEX principals_by_name ON principals (account_id, type, name COLLATE NOCASE);
            CREATE INDEX access_keys_by_principal ON access_keys (principal_arn);
            ALTER TABLE access_keys ADD COLUMN status INTEGER NOT NULL DEFAULT 1;
            """),
        new(11, "multi-Region keys: the set's primary and replica Regions on every key of the set, the end of a transient state", """
            ALTER TABLE keys ADD COLUMN primary_region TEXT NULL;
            ALTER TABLE keys ADD COLUMN replica_regions TEXT NOT NULL DEFAULT '';
            ALTER TABLE keys ADD COLUMN transition_at INTEGER NULL;
            CREATE INDEX keys_by_transition ON keys (transition_at) WHERE transition_at IS NOT NULL;
            """),
        new(12, "custom key stores and the keys bound to external key stores", """
            CREATE TABLE custom_key_stores (
                store_id          TEXT PRIMARY KEY,
                account_id        TEXT NOT NULL,
                region            TEXT NOT NULL,
                name              TEXT NOT NULL,
                created_at        INTEGER NOT NULL,
                type              INTEGER NOT NULL,
                state             INTEGER NOT NULL,
                error_code        INTEGER NULL,
                connectivity      INTEGER NOT NULL,
                uri_endpoint      TEXT NOT NULL,
                uri_path          TEXT NOT NULL,
                vpc_service_name  TEXT NULL,
                vpc_service_owner TEXT NULL,
                access_key_id     TEXT NOT NULL,
                sealed_secret     BLOB NOT NULL,
                row_version       INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX custom_key_stores_by_name ON custom_key_stores (account_id, region, name);
            CREATE UNIQUE INDEX custom_key_stores_by_address ON custom_key_stores (account_id, region, uri_endpoint, uri_path);
            CREATE TABLE xks_keys (
                key_id     TEXT PRIMARY KEY,
                store_id   TEXT NOT NULL,
                xks_key_id TEXT NOT NULL
            );
            CREATE UNIQUE INDEX xks_keys_by_store ON xks_keys (store_id, xks_key_id);
            """),
        new(13, "the latest verification of the audit chains, a row per chain", """
            CREATE TABLE audit_verification (
                chain_id    TEXT PRIMARY KEY,
                verified_at INTEGER NOT NULL,
                records     INTEGER NOT NULL,
                intact      INTEGER NOT NULL,
                problems    TEXT NOT NULL,
                gaps        TEXT NOT NULL
            );
            """),
        new(14, "audit events: resource seconds as ranges of sequence numbers instead of an index entry per event; version-7 event ids found by time, others in a table of their own", """
            CREATE TABLE audit_resource_seconds (
                second        INTEGER NOT NULL,
                resource_name TEXT NOT NULL,
                chain_id      TEXT NOT NULL,
                first_seq     INTEGER NOT NULL,
                last_seq      INTEGER NOT NULL,
                PRIMARY KEY (second, resource_name, chain_id, first_seq)
            ) WITHOUT ROWID;
            INSERT INTO audit_resource_seconds (second, resource_name, chain_id, first_seq, last_seq)
                SELECT event_time / 1000, resource_name, chain_id, MIN(seq), MAX(seq) FROM audit_events
                WHERE resource_name IS NOT NULL GROUP BY event_time / 1000, resource_name, chain_id;
            DROP INDEX audit_by_second_resource;
            CREATE TABLE audit_legacy_event_ids (
                event_id TEXT NOT NULL,
                chain_id TEXT NOT NULL,
                seq      INTEGER NOT NULL,
                PRIMARY KEY (event_id, chain_id, seq)
            ) WITHOUT ROWID;
            INSERT INTO audit_legacy_event_ids (event_id, chain_id, seq)
                SELECT event_id, chain_id, seq FROM audit_events WHERE length(event_id) <> 36 OR substr(event_id, 15, 1) <> '7'
                OR lower(substr(event_id, 1, 8) || substr(event_id, 10, 4)) <> printf('%012x', event_time);
            DROP INDEX audit_by_event_id;
            """),
    ];
}
