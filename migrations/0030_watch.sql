-- The administrators' dashboard counts what was written week by week, and
-- the health check and metrics read the mail failures of the last day:
-- these indexes keep each count to the range it asks for.
CREATE INDEX users_created ON users (created_at);
CREATE INDEX posts_created ON posts (created_at);
CREATE INDEX fiche_revisions_created ON fiche_revisions (created_at);
CREATE INDEX proposal_revisions_created ON proposal_revisions (created_at);
CREATE INDEX amendments_created ON amendments (created_at);

-- When the latest delivery attempt of a mail failed (last_error says why),
-- kept once it is delivered after all: failures are counted by day.
ALTER TABLE mails ADD COLUMN last_error_at DATETIME;
CREATE INDEX mails_last_error ON mails (last_error_at) WHERE last_error_at IS NOT NULL;
CREATE INDEX mails_sent ON mails (sent_at) WHERE sent_at IS NOT NULL;
