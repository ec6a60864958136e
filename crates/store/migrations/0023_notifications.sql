-- In-app notifications: one row per person and event that concerns them, written in the
-- transaction of the change (so exactly one, and none for a change that rolled back).
CREATE TABLE notifications (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    id {uuid} NOT NULL,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind VARCHAR(40) NOT NULL,
    task_id {uuid},
    task_key VARCHAR(40) NOT NULL DEFAULT '',
    actor_id {uuid},
    actor_name VARCHAR(150) NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    data {json} NOT NULL,
    event_id {uuid},
    read_at {ts},
    created_at {ts} NOT NULL,
    PRIMARY KEY (organization_id, id)
);
-- A person's list, newest first, and their unread count.
CREATE INDEX notifications_user_idx ON notifications (organization_id, user_id, created_at, id);
CREATE INDEX notifications_unread_idx ON notifications (organization_id, user_id) WHERE read_at IS NULL;

-- What a person changed from the defaults, per kind of notification and channel (in-app
-- always; email for assignments and mentions). Absent rows mean the defaults.
CREATE TABLE notification_preferences (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind VARCHAR(40) NOT NULL,
    in_app {bool} NOT NULL,
    email {bool} NOT NULL,
    PRIMARY KEY (organization_id, user_id, kind)
);
