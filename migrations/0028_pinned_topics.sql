-- Lists read their few pinned topics apart from the others (which come in
-- order from topics_activity and topics_category): this index finds them
-- without reading the others.
CREATE INDEX topics_pinned ON topics (category_id, last_activity_at DESC, id DESC) WHERE pinned = 1;
