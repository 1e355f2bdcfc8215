-- Users. The password is kept only as its Argon2id hash (libsodium crypto_pwhash_str); roles are
-- comma-separated (admin, field, office, and the roles plugins declare). Times are microseconds
-- since the epoch, UTC.
CREATE TABLE core_user."User" (
    user_name VARCHAR(100) PRIMARY KEY,
    display_name VARCHAR(200) NOT NULL DEFAULT '',
    password_hash VARCHAR(200) NOT NULL DEFAULT '',
    roles VARCHAR(1000) NOT NULL DEFAULT '',
    disabled INTEGER NOT NULL DEFAULT 0,
    source VARCHAR(100) NOT NULL DEFAULT 'internal',
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL
);

-- Sessions: a user logged in on a device. The session token is kept only as its BLAKE2b-256
-- hash; the app keeps the token in its keychain and presents it again after a restart.
CREATE TABLE core_user."UserLogin" (
    token_hash VARCHAR(64) PRIMARY KEY,
    user_name VARCHAR(100) NOT NULL,
    device_id VARCHAR(100) NOT NULL,
    is_field INTEGER NOT NULL,
    logged_in_us BIGINT NOT NULL
);
CREATE INDEX core_user."UserLogin_user" ON "UserLogin" (user_name);
CREATE INDEX core_user."UserLogin_device" ON "UserLogin" (device_id);
