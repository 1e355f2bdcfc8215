-- Every position a device reported (its history): one row per DevicePositionTuple action, keyed
-- by the action's uuid so a re-sent action is stored once. Times are microseconds since the
-- epoch, UTC.
CREATE TABLE pl_positions."DevicePosition" (
    action_uuid VARCHAR(64) PRIMARY KEY,
    device_id VARCHAR(200) NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    accuracy_m DOUBLE PRECISION NOT NULL DEFAULT -1,
    altitude DOUBLE PRECISION,
    speed DOUBLE PRECISION,
    fix_time_us BIGINT NOT NULL,
    made_time_us BIGINT,
    received_time_us BIGINT NOT NULL
);
CREATE INDEX pl_positions."DevicePosition_device_time" ON "DevicePosition" (device_id, fix_time_us);
CREATE INDEX pl_positions."DevicePosition_time" ON "DevicePosition" (fix_time_us);

-- The newest position (by fix time) of each device: what the devicePositions observable serves.
CREATE TABLE pl_positions."DeviceLatestPosition" (
    device_id VARCHAR(200) PRIMARY KEY,
    action_uuid VARCHAR(64) NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    accuracy_m DOUBLE PRECISION NOT NULL DEFAULT -1,
    altitude DOUBLE PRECISION,
    speed DOUBLE PRECISION,
    fix_time_us BIGINT NOT NULL,
    made_time_us BIGINT,
    received_time_us BIGINT NOT NULL
);
