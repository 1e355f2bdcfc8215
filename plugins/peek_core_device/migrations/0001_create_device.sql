-- Enrolled devices. The token is kept only as its BLAKE2b-256 hash (hex); state is pending,
-- approved or revoked. Times are microseconds since the epoch, UTC.
CREATE TABLE core_device."DeviceInfo" (
    device_id VARCHAR(100) PRIMARY KEY,
    description VARCHAR(100) NOT NULL UNIQUE,
    device_type VARCHAR(20) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    state VARCHAR(10) NOT NULL,
    platform VARCHAR(100) NOT NULL DEFAULT '',
    app_version VARCHAR(40) NOT NULL DEFAULT '',
    created_us BIGINT NOT NULL,
    last_online_us BIGINT,
    last_address VARCHAR(100) NOT NULL DEFAULT ''
);

-- Who did what to whom: enrolments, approvals, revocations, refused devices (and the user
-- plugin's logins). Never a token or a password.
CREATE TABLE core_device."IdentityAudit" (
    time_us BIGINT NOT NULL,
    event VARCHAR(40) NOT NULL,
    device_id VARCHAR(100) NOT NULL DEFAULT '',
    user_name VARCHAR(100) NOT NULL DEFAULT '',
    actor VARCHAR(100) NOT NULL DEFAULT '',
    address VARCHAR(100) NOT NULL DEFAULT '',
    detail VARCHAR(400) NOT NULL DEFAULT ''
);
CREATE INDEX core_device."IdentityAudit_time" ON "IdentityAudit" (time_us);
