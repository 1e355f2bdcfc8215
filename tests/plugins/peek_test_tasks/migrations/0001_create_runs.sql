CREATE TABLE pl_peek_test_tasks.runs (
    task_id TEXT NOT NULL,
    pid BIGINT NOT NULL,
    attempt INTEGER NOT NULL
);
