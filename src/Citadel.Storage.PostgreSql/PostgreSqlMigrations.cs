namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL schema, as an ordered list of migrations. Append; never edit a released step.
/// Tables are created unqualified, so they land in the first schema of the connection's search path.
/// Identifiers are COLLATE "C" so that listings and markers order byte-wise, as SQLite does.
/// Children of a key reference it ON DELETE CASCADE: a concurrent CreateAlias, TagResource or
/// CreateGrant against a key being deleted then fails (foreign key) instead of leaving an orphan.
/// </summary>
internal static class PostgreSqlMigrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "keys, key material, aliases, tags, grants, identities, change feed", """
            CREATE TABLE keys (
                key_id                   text COLLATE "C" PRIMARY KEY,
                account_id               text COLLATE "C" NOT NULL,
                region                   text COLLATE "C" NOT NULL,
                created_at               timestamptz NOT NULL,
                state                    integer NOT NULL,
                description              text NOT NULL,
                spec                     integer NOT NULL,
                usage                    integer NOT NULL,
                origin                   integer NOT NULL,
                manager                  integer NOT NULL,
                policy                   text NOT NULL,
                deletion_date            timestamptz NULL,
                pending_window_days      integer NULL,
                current_material_version integer NOT NULL,
                current_material_id      text NOT NULL,
                rotation_enabled         boolean NOT NULL,
                rotation_period_days     integer NULL,
                next_rotation_at         timestamptz NULL,
                row_version              bigint NOT NULL
            );
            CREATE INDEX keys_by_account ON keys (account_id, region, key_id);
            CREATE INDEX keys_by_deletion ON keys (deletion_date) WHERE deletion_date IS NOT NULL;
            CREATE INDEX keys_by_rotation ON keys (next_rotation_at) WHERE rotation_enabled;

            CREATE TABLE key_materials (
                key_id          text COLLATE "C" NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
                version         integer NOT NULL,
                material_id     text NOT NULL,
                sealed_material bytea NOT NULL,
                created_at      timestamptz NOT NULL,
                origin          integer NOT NULL,
                PRIMARY KEY (key_id, version)
            );

            CREATE TABLE aliases (
                account_id    text COLLATE "C" NOT NULL,
                region        text COLLATE "C" NOT NULL,
                name          text COLLATE "C" NOT NULL,
                target_key_id text COLLATE "C" NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
                created_at    timestamptz NOT NULL,
                updated_at    timestamptz NOT NULL,
                PRIMARY KEY (account_id, region, name)
            );
            CREATE INDEX aliases_by_key ON aliases (target_key_id);

            CREATE TABLE tags (
                key_id    text COLLATE "C" NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
                tag_key   text COLLATE "C" NOT NULL,
                tag_value text NOT NULL,
                PRIMARY KEY (key_id, tag_key)
            );

            CREATE TABLE grants (
                grant_id           text COLLATE "C" NOT NULL,
                key_id             text COLLATE "C" NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
                name               text NOT NULL,
                grantee_principal  text NOT NULL,
                retiring_principal text NULL,
                issuing_account    text NOT NULL,
                operations         text[] NOT NULL,
                constraints        jsonb NULL,
                created_at         timestamptz NOT NULL,
                PRIMARY KEY (key_id, grant_id)
            );
            CREATE INDEX grants_by_retiring ON grants (retiring_principal) WHERE retiring_principal IS NOT NULL;

            CREATE TABLE accounts (
                account_id text COLLATE "C" PRIMARY KEY,
                created_at timestamptz NOT NULL
            );

            CREATE TABLE principals (
                arn          text COLLATE "C" PRIMARY KEY,
                account_id   text COLLATE "C" NOT NULL REFERENCES accounts (account_id),
                type         integer NOT NULL,
                name         text NOT NULL,
                principal_id text NOT NULL,
                created_at   timestamptz NOT NULL
            );
            CREATE INDEX principals_by_account ON principals (account_id, arn);

            CREATE TABLE identity_policies (
                principal_arn text COLLATE "C" NOT NULL REFERENCES principals (arn) ON DELETE CASCADE,
                name          text COLLATE "C" NOT NULL,
                document      text NOT NULL,
                PRIMARY KEY (principal_arn, name)
            );

            -- No foreign key to principals: an access key may be put before (or without) its principal, as in SQLite.
            CREATE TABLE access_keys (
                access_key_id  text COLLATE "C" PRIMARY KEY,
                account_id     text NOT NULL,
                principal_arn  text COLLATE "C" NOT NULL,
                principal_type integer NOT NULL,
                principal_id   text NOT NULL,
                sealed_secret  bytea NOT NULL,
                created_at     timestamptz NOT NULL
            );
            CREATE INDEX access_keys_by_principal ON access_keys (principal_arn);

            CREATE TABLE identity_version (
                id      integer PRIMARY KEY CHECK (id = 1),
                version bigint NOT NULL
            );
            INSERT INTO identity_version (id, version) VALUES (1, 1);

            -- Every committed change takes the next number and sends it with its NOTIFY; a node that
            -- sees this sequence ahead of the notifications it got has missed one and drops its caches.
            CREATE SEQUENCE change_sequence;
            """),
        new(2, "audit trail", """
            CREATE TABLE audit_events (
                chain_id      text COLLATE "C" NOT NULL,
                seq           bigint NOT NULL,
                event_id      text COLLATE "C" NOT NULL,
                event_time    bigint NOT NULL,
                account_id    text COLLATE "C" NOT NULL,
                event_name    text COLLATE "C" NOT NULL,
                event_source  text COLLATE "C" NOT NULL,
                username      text COLLATE "C" NULL,
                access_key_id text COLLATE "C" NULL,
                resource_name text COLLATE "C" NULL,
                read_only     boolean NOT NULL,
                record        text NOT NULL,
                prev_hash     text NOT NULL,
                hash          text NOT NULL,
                PRIMARY KEY (chain_id, seq)
            );
            CREATE INDEX audit_by_account_time ON audit_events (account_id, event_time);
            CREATE INDEX audit_by_event_id ON audit_events (event_id);
            CREATE INDEX audit_by_resource ON audit_events (resource_name, event_time);
            CREATE TABLE audit_chains (
                chain_id          text COLLATE "C" PRIMARY KEY,
                head_seq          bigint NOT NULL,
                head_hash         text NOT NULL,
                retained_from_seq bigint NOT NULL
            );
            """),
        new(3, "imported key material: import state, expiry, description, rotation date", """
            ALTER TABLE key_materials ADD COLUMN import_state integer NULL;
            ALTER TABLE key_materials ADD COLUMN expiration_model integer NULL;
            ALTER TABLE key_materials ADD COLUMN valid_to timestamptz NULL;
            ALTER TABLE key_materials ADD COLUMN description text NULL;
            ALTER TABLE key_materials ADD COLUMN rotated_at timestamptz NULL;
            CREATE INDEX key_materials_by_expiry ON key_materials (valid_to) WHERE valid_to IS NOT NULL;
            """),
        new(4, "audit events by resource: the hours a resource was used, and an index by second and resource", """
            CREATE TABLE audit_resource_hours (
                resource_name text COLLATE "C" NOT NULL,
                hour          bigint NOT NULL,
                PRIMARY KEY (resource_name, hour)
            );
            CREATE INDEX audit_resource_hours_by_hour ON audit_resource_hours (hour);
            INSERT INTO audit_resource_hours (resource_name, hour)
                SELECT DISTINCT resource_name, event_time / 3600000 FROM audit_events WHERE resource_name IS NOT NULL;
            DROP INDEX audit_by_resource;
            CREATE INDEX audit_by_second_resource ON audit_events ((event_time / 1000), resource_name);
            """),
        new(5, "root key check: a constant sealed under the root key, checked at every start", """
            CREATE TABLE root_key_check (
                id          integer PRIMARY KEY CHECK (id = 1),
                sealed      bytea NOT NULL,
                created_at  timestamptz NOT NULL
            );
            """),
        new(6, "root key rotation under way: the new root key and its check value", """
            CREATE TABLE root_key_rotation (
                id            integer PRIMARY KEY CHECK (id = 1),
                target        text NOT NULL,
                target_check  bytea NOT NULL,
                started_at    timestamptz NOT NULL
            );
            """),
        new(7, "audit journal in the database: a node's sealed audit frames, committed before its requests are answered", """
            CREATE TABLE audit_journal (
                chain_id   text COLLATE "C" NOT NULL,
                first_seq  bigint NOT NULL,
                last_seq   bigint NOT NULL,
                frames     bytea NOT NULL,
                PRIMARY KEY (chain_id, first_seq)
            );
            """),
        new(8, "roles: trust policy and maximum session duration", """
            ALTER TABLE principals ADD COLUMN trust_policy text NULL;
            ALTER TABLE principals ADD COLUMN max_session_duration integer NULL;
            """),
        new(9, "IAM API: paths and role descriptions of users and roles, their tags, access key status", """
            CREATE TABLE iam_entities (
                arn         text COLLATE "C" PRIMARY KEY REFERENCES principals (arn) ON DELETE CASCADE,
                path        text NOT NULL,
                description text NULL
            );
            CREATE TABLE principal_tags (
                principal_arn text COLLATE "C" NOT NULL REFERENCES principals (arn) ON DELETE CASCADE,
                tag_key       text COLLATE "C" NOT NULL,
                tag_value     text NOT NULL,
                PRIMARY KEY (principal_arn, tag_key)
            );
            CREATE INDEX principals_by_name ON principals (account_id, type, lower(name));
            ALTER TABLE access_keys ADD COLUMN status integer NOT NULL DEFAULT 1;
            """),
        new(10, "multi-Region keys: the set's primary and replica Regions on every key of the set, the end of a transient state", """
            ALTER TABLE keys ADD COLUMN primary_region text COLLATE "C" NULL;
            ALTER TABLE keys ADD COLUMN replica_regions text[] NOT NULL DEFAULT '{}';
            ALTER TABLE keys ADD COLUMN transition_at timestamptz NULL;
            CREATE INDEX keys_by_transition ON keys (transition_at) WHERE transition_at IS NOT NULL;
            """),
        new(11, "custom key stores and the keys bound to external key stores", """
            CREATE TABLE custom_key_stores (
                store_id          text COLLATE "C" PRIMARY KEY,
                account_id        text COLLATE "C" NOT NULL,
                region            text COLLATE "C" NOT NULL,
                name              text COLLATE "C" NOT NULL,
                created_at        timestamptz NOT NULL,
                type              integer NOT NULL,
                state             integer NOT NULL,
                error_code        integer NULL,
                connectivity      integer NOT NULL,
                uri_endpoint      text COLLATE "C" NOT NULL,
                uri_path          text COLLATE "C" NOT NULL,
                vpc_service_name  text NULL,
                vpc_service_owner text NULL,
                access_key_id     text NOT NULL,
                sealed_secret     bytea NOT NULL,
                row_version       bigint NOT NULL
            );
            CREATE UNIQUE INDEX custom_key_stores_by_name ON custom_key_stores (account_id, region, name);
            CREATE UNIQUE INDEX custom_key_stores_by_address ON custom_key_stores (account_id, region, uri_endpoint, uri_path);
            CREATE TABLE xks_keys (
                key_id     text COLLATE "C" PRIMARY KEY REFERENCES keys (key_id) ON DELETE CASCADE,
                store_id   text COLLATE "C" NOT NULL REFERENCES custom_key_stores (store_id),
                xks_key_id text COLLATE "C" NOT NULL
            );
            CREATE UNIQUE INDEX xks_keys_by_store ON xks_keys (store_id, xks_key_id);
            """),
        new(12, "the latest verification of the audit chains, a row per chain", """
            CREATE TABLE audit_verification (
                chain_id    text COLLATE "C" PRIMARY KEY,
                verified_at bigint NOT NULL,
                records     bigint NOT NULL,
                intact      integer NOT NULL,
                problems    text NOT NULL,
                gaps        text NOT NULL
            );
            """),
        new(13, "audit records kept in the journal rows: a row of audit_events refers to its record's bytes in audit_journal instead of a copy", """
            ALTER TABLE audit_events ALTER COLUMN record DROP NOT NULL;
            ALTER TABLE audit_events ADD COLUMN journal_seq bigint NULL;
            ALTER TABLE audit_events ADD COLUMN record_at integer NULL;
            ALTER TABLE audit_events ADD COLUMN record_length integer NULL;
            -- The frames are compressed as they are committed, on the request path: LZ4 where the server has it
            -- (PostgreSQL 14 and later, built with it) takes a fraction of pglz's CPU, and reads a slice as fast.
            DO $$
            BEGIN
                IF current_setting('server_version_num')::integer >= 140000 THEN
                    EXECUTE 'ALTER TABLE audit_journal ALTER COLUMN frames SET COMPRESSION lz4';
                END IF;
            EXCEPTION WHEN feature_not_supported THEN
                NULL;
            END $$;
            """),
        new(14, "audit events: hashes as their 32 bytes; version-7 event ids found by their time, others in a table of their own; the index by second and resource holds the resource's hash", """
            -- Held ACCESS EXCLUSIVE until the step commits: the table is rewritten once (both columns in one ALTER).
            ALTER TABLE audit_events
                ALTER COLUMN prev_hash TYPE bytea USING decode(prev_hash, 'hex'),
                ALTER COLUMN hash TYPE bytea USING decode(hash, 'hex');
            CREATE TABLE audit_legacy_event_ids (
                event_id text COLLATE "C" NOT NULL,
                chain_id text COLLATE "C" NOT NULL,
                seq      bigint NOT NULL,
                PRIMARY KEY (event_id, chain_id, seq)
            );
            INSERT INTO audit_legacy_event_ids (event_id, chain_id, seq)
                SELECT event_id, chain_id, seq FROM audit_events
                WHERE event_id !~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
                OR lower(substr(event_id, 1, 8) || substr(event_id, 10, 4)) <> lpad(to_hex(event_time), 12, '0');
            DROP INDEX audit_by_event_id;
            DROP INDEX audit_by_second_resource;
            CREATE INDEX audit_by_second_resource ON audit_events ((event_time / 1000), hashtext(resource_name));
            """),
    ];
}
