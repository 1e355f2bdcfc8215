-- Tasks and activities, one row per (plugin, uniqueId), for one user each.
CREATE TABLE {schema}."Task" (
    id INTEGER PRIMARY KEY,
    plugin_name VARCHAR(100) NOT NULL,
    unique_id VARCHAR(200) NOT NULL,
    user_name VARCHAR(100) NOT NULL,
    date_time VARCHAR(40) NOT NULL,
    title VARCHAR(300) NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    icon_path VARCHAR(300) NOT NULL DEFAULT '',
    route_path VARCHAR(300) NOT NULL DEFAULT '',
    route_param_json TEXT NOT NULL DEFAULT '',
    display_as INTEGER NOT NULL DEFAULT 0,
    display_priority INTEGER NOT NULL DEFAULT 2,
    auto_complete INTEGER NOT NULL DEFAULT 0,
    auto_delete INTEGER NOT NULL DEFAULT 0,
    state_flags INTEGER NOT NULL DEFAULT 0,
    notification_required_flags INTEGER NOT NULL DEFAULT 0,
    notification_sent_flags INTEGER NOT NULL DEFAULT 0,
    UNIQUE (plugin_name, unique_id)
);
CREATE INDEX {schema}."Task_user" ON "Task" (user_name);
CREATE TABLE {schema}."Activity" (
    id INTEGER PRIMARY KEY,
    plugin_name VARCHAR(100) NOT NULL,
    unique_id VARCHAR(200) NOT NULL,
    user_name VARCHAR(100) NOT NULL,
    date_time VARCHAR(40) NOT NULL,
    title VARCHAR(300) NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    icon_path VARCHAR(300) NOT NULL DEFAULT '',
    route_path VARCHAR(300) NOT NULL DEFAULT '',
    route_param_json TEXT NOT NULL DEFAULT '',
    UNIQUE (plugin_name, unique_id)
);
CREATE INDEX {schema}."Activity_user" ON "Activity" (user_name);
