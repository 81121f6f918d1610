-- 0002: text extracted from PDF objects, kept per object and per page so that a reindex
-- never re-extracts. text_status: ok (every page has text), partial, no_text, error,
-- or '' when the object is not a PDF. page.source: text (text layer), ocr, none.
ALTER TABLE object
    ADD COLUMN text_status text NOT NULL DEFAULT '',
    ADD COLUMN text_reason text NOT NULL DEFAULT '',
    ADD COLUMN page_count  integer,
    ADD COLUMN pdfa        text NOT NULL DEFAULT '',
    ADD COLUMN encrypted   boolean NOT NULL DEFAULT false;

CREATE TABLE object_page (
    object_id bigint NOT NULL REFERENCES object (id) ON DELETE CASCADE,
    page      integer NOT NULL,
    source    text NOT NULL CHECK (source IN ('text', 'ocr', 'none')),
    text      text NOT NULL,
    PRIMARY KEY (object_id, page)
);
