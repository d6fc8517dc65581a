-- Batches created in the product: the details every CoS of the batch shares (job, work
-- dates, work addresses), kept so that workers added later get them too. Each CoS still
-- keeps its own copy.
ALTER TABLE batches ADD COLUMN common jsonb NOT NULL DEFAULT '{}';

-- A "Create a batch of CoS" form sent twice makes one batch.
ALTER TABLE cos_create_tokens ADD COLUMN batch_id bigint;

-- A batch reference is unique within the sponsor whatever its case.
CREATE UNIQUE INDEX batches_reference_any_case ON batches (sponsor_id, lower(reference));
