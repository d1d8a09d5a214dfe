"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL tsvector with a GIN index.

A searchable model keeps a `search_document` column holding `core.text.document(...)`: folded,
stemmed terms. Queries go through the same normalisation, so both engines match the same rows.
`fts_sql_sqlite` and `fts_sql_postgresql` give the DDL a migration runs for each engine.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from micedesk.core.text import terms

MAX_QUERY_TERMS = 12


def query_terms(text: str) -> list[str]:
    """The distinct terms of a user's query, at most MAX_QUERY_TERMS."""
    seen: dict[str, None] = {}
    for term in terms(text):
        seen.setdefault(term, None)
    return list(seen)[:MAX_QUERY_TERMS]


def fts_sql_sqlite(table: str) -> tuple[list[str], list[str]]:
    """Forward and backward SQL: an FTS5 index over `table.search_document`, kept in step by triggers."""
    fts = f"{table}_fts"
    forward = [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_document, content='{table}', "
        f"content_rowid='id', tokenize='unicode61', prefix='2 3 4')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_document) VALUES (new.id, new.search_document); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_document) VALUES ('delete', old.id, old.search_document); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_document ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_document) VALUES ('delete', old.id, old.search_document); "
        f"INSERT INTO {fts}(rowid, search_document) VALUES (new.id, new.search_document); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]
    backward = [f"DROP TRIGGER IF EXISTS {fts}_{t}" for t in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {fts}"
    ]
    return forward, backward


def fts_sql_postgresql(table: str) -> tuple[list[str], list[str]]:
    index = f"{table}_search_gin"
    forward = [
        f"CREATE INDEX {index} ON {table} USING gin (to_tsvector('simple'::regconfig, search_document))"
    ]
    return forward, [f"DROP INDEX IF EXISTS {index}"]


def text_search(queryset: QuerySet, text: str, *, with_rank: bool = False) -> QuerySet:
    """Rows of `queryset` whose document holds every term of `text` (as a word or a word's start).

    With `with_rank`, each row gets `text_rank`: lower is more relevant, on both engines.
    An empty query leaves the queryset as it is.
    """
    words = query_terms(text)
    if not words:
        return queryset
    table = queryset.model._meta.db_table
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        vector = f"to_tsvector('simple'::regconfig, {table}.search_document)"
        queryset = queryset.extra(
            where=[f"{vector} @@ to_tsquery('simple'::regconfig, %s)"], params=[tsquery]
        )
        if with_rank:
            queryset = queryset.extra(
                select={"text_rank": f"-ts_rank({vector}, to_tsquery('simple'::regconfig, %s))"},
                select_params=[tsquery],
            )
        return queryset
    fts = f"{table}_fts"
    match = " ".join(f'"{word}"*' for word in words)
    if with_rank:
        return queryset.extra(
            tables=[fts],
            where=[f"{fts}.rowid = {table}.id", f"{fts} MATCH %s"],
            params=[match],
            select={"text_rank": f"bm25({fts})"},
        )
    return queryset.extra(
        where=[f"{table}.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"], params=[match]
    )
