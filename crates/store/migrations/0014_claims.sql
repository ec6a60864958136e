-- Whether people may take unassigned work themselves (POST /tasks/{id}/claim/).
ALTER TABLE organizations ADD COLUMN allow_claims {bool} NOT NULL DEFAULT TRUE;
