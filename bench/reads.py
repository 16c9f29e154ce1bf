"""Read benchmark (issue 13 item 5): the staff inbox and the supervisor's overdue view over a large task table.

Run: `python bench/reads.py [--database-url URL] [--rebuild] [--runs N]` (PostgreSQL only; the default URL is
postgresql+psycopg://postgres@127.0.0.1:5432/bench_reads, a database the benchmark owns and empties).

The first run migrates the database and fills it with one city of ten counties (205 agencies, 50,000
enterprises, 200,000 instances: inspection lifecycles, some in joint inspections, named and anonymous
complaints, single-step procedures keyed by enterprise) carrying 100,000 open and 1,000,000 completed tasks,
all by `INSERT … SELECT generate_series` (a few minutes), then ANALYZEs. A comment on the task table marks the
data as built, so later runs only migrate (new indexes land on the existing rows) and measure; `--rebuild`
starts over. The data is deterministic (no random()), so runs of different code see the same rows.

What is timed is what the pages and the API call: engine.views.inbox.inbox for staff and agency heads of large
and small agencies, engine.views.overdue.overdue_steps for supervisors of a county and of the whole city, each
in a fresh read session, `--runs` times after one warm-up. It prints p50 and p95 in ms per case and overall,
then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median, quantiles

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from engine.calendar import WorkingCalendar  # noqa: E402
from engine.identity.access import scope_of  # noqa: E402
from engine.platform.clock import FrozenClock  # noqa: E402
from engine.platform.db import make_engine, make_session_factory  # noqa: E402
from engine.views.inbox import inbox  # noqa: E402
from engine.views.overdue import overdue_steps  # noqa: E402
from migrations import create_postgres_database, recreate_postgres_schema, upgrade  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_reads"
MARKER = "bench/reads.py data v5: 100000 open, 1000000 completed tasks"
NOW = FrozenClock("2026-09-30T10:00:00+08:00").now()
COUNTIES = 10
AGENCIES_PER_COUNTY = 20
ENTERPRISES = 50_000
RUNNING = 100_000  # instances with one open task and four completed ones
FINISHED = 100_000  # instances with six completed tasks

# Each statement is run with :now bound; instance i's kind is i % 10: 0-6 an inspection lifecycle (its agency
# one of its enterprise's county's, skewed so that a few agencies carry most of the work; i % 100 in 1..6 joins a
# joint inspection of six), 7 a named complaint (the county office's lane, no agency), 8 a single-step
# procedure keyed `enterprise:<credit code>` (half with an agency), 9 an anonymous complaint (no agency,
# placed by the instance's county). Instance i concerns an enterprise picked by a hash of i.
BUILD = [
    """INSERT INTO jurisdiction (id, code, name, level, parent_id, policy)
       SELECT 1, '331100', '丽水市', 'city', NULL, '{}'::json
       UNION ALL SELECT 1 + c, '3311' || lpad(c::text, 2, '0'), '县' || c, 'county', 1, '{}'::json
       FROM generate_series(1, 10) c""",
    """INSERT INTO agency (id, code, name, jurisdiction_id, confirmed_enforcement_body)
       SELECT (c - 1) * 20 + k + 1, 'AG' || lpad(c::text, 2, '0') || lpad(k::text, 2, '0'),
              '执法单位 ' || c || '-' || k, 1 + c, true
       FROM generate_series(1, 10) c, generate_series(0, 19) k
       UNION ALL SELECT 200 + k, 'AGCITY' || k, '市级单位 ' || k, 1, true FROM generate_series(1, 5) k""",
    """INSERT INTO enterprise (id, credit_code, name, jurisdiction_id, sector_tags)
       SELECT e, '91331100' || lpad(e::text, 10, '0'), '企业' || e, 2 + e % 10, '[]'
       FROM generate_series(1, 50000) e""",
    """INSERT INTO diagram (id, source_name, xml, sha256, deployed_by, deployed_at)
       VALUES (1, 'bench.bpmn', '\\x00', repeat('0', 64), 'bench', :now)""",
    """INSERT INTO process_version (id, process_key, version, name, diagram_id, called_process_keys, deployed_by,
                                    deployed_at)
       VALUES (1, 'bench', 1, 'bench', 1, '[]', 'bench', :now)""",
    """CREATE TEMPORARY TABLE bench_case AS
       SELECT i, i % 10 AS kind, enterprise_id, 2 + enterprise_id % 10 AS county,
              CASE WHEN i % 97 = 0 THEN 201 + i % 5
                   ELSE enterprise_id % 10 * 20
                        + floor(20 * power(get_byte(decode(md5('a' || i), 'hex'), 0) / 256.0, 2))::int + 1
              END AS agency_id,
              get_byte(decode(md5('l' || i), 'hex'), 0) % 20 AS lane_pick,
              get_byte(decode(md5('d' || i), 'hex'), 0) % 60 - 20 AS due_in_days,
              get_byte(decode(md5('d' || i), 'hex'), 1) AS pick,
              i <= 100000 AS running
       FROM generate_series(1, 200000) i,
            LATERAL (SELECT ('x' || substr(md5('e' || i), 1, 8))::bit(32)::bigint % 50000 + 1 AS enterprise_id) e""",
    """INSERT INTO process_instance (id, process_version_id, process_key, business_key, status, serialized,
                                     spec_refs, jurisdiction_id, lock_version, started_by, created_at, updated_at)
       SELECT i, 1, CASE kind WHEN 7 THEN 'complaint' WHEN 9 THEN 'complaint' WHEN 8 THEN 'filing'
                              ELSE 'inspection_lifecycle' END,
              CASE kind WHEN 8 THEN 'enterprise:91331100' || lpad(enterprise_id::text, 10, '0')
                        WHEN 7 THEN 'TS' || i WHEN 9 THEN 'TS' || i ELSE 'JC' || i END,
              CASE WHEN running THEN 'running' ELSE 'completed' END, '{}', '{}',
              CASE WHEN kind IN (7, 9) THEN county END, 1, 'bench', :now - interval '90 days', :now
       FROM bench_case""",
    """INSERT INTO joint_inspection_group (id, jurisdiction_id, enterprise_id, coordinator, status)
       SELECT i / 100 + 1, county, enterprise_id, 'bench', 'merged' FROM bench_case WHERE i % 100 = 1""",
    """INSERT INTO inspection (id, agency_id, enterprise_id, trigger, mode, joint_group_id, status, retroactive,
                               process_instance_id, created_by, created_at)
       SELECT i, agency_id, enterprise_id, 'routine', 'onsite',
              CASE WHEN i % 100 BETWEEN 1 AND 6 THEN i / 100 + 1 END, 'ongoing', false, i, 'bench',
              :now - interval '90 days'
       FROM bench_case WHERE kind < 7""",
    """INSERT INTO complaint (id, tracking_number, enterprise_id, kind, content, status, received_at, outcomes,
                              process_instance_id, jurisdiction_id)
       SELECT i, 'TS' || i, CASE WHEN kind = 7 THEN enterprise_id END, 'complaint', '投诉内容', 'received',
              :now - interval '30 days', '[]', i, county
       FROM bench_case WHERE kind IN (7, 9)""",
    # Open tasks: one per running instance, due from 20 days ago to 40 days ahead (one in twenty without a
    # deadline); claimed by someone in three cases of ten.
    """INSERT INTO task (id, instance_id, process_key, element_id, name, lane, candidate_group, agency, assignee,
                         business_key, state, created_at, due_at, due_provisional, PLACE_COLUMNS)
       SELECT uuid_in(md5('open' || i)::cstring)::text, i, p.process_key, 'Step', '环节' || (i % 7), lane, lane,
              CASE WHEN kind < 7 OR (kind = 8 AND i % 20 < 10) THEN a.code END,
              CASE WHEN pick % 10 < 3 THEN 'user' || (pick % 50) END, p.business_key, 'open',
              :now - interval '10 days',
              CASE WHEN pick % 20 <> 0 THEN :now + make_interval(days => due_in_days, hours => pick % 24) END,
              false, PLACES
       FROM (SELECT c.*, CASE WHEN kind IN (7, 9) THEN '县综合执法办'
                              WHEN kind = 8 THEN '执法人员'
                              WHEN lane_pick < 14 THEN '执法人员'
                              WHEN lane_pick < 18 THEN '单位负责人'
                              WHEN lane_pick < 19 THEN '司法局' END AS lane
             FROM bench_case c WHERE running) c
       JOIN process_instance p ON p.id = c.i JOIN agency a ON a.id = c.agency_id""",
    """INSERT INTO task (id, instance_id, process_key, element_id, name, lane, candidate_group, agency,
                         business_key, state, created_at, due_at, due_provisional, completed_at, completed_by,
                         PLACE_COLUMNS)
       SELECT uuid_in(md5('done' || i || '-' || n)::cstring)::text, i, p.process_key, 'Step' || n, '环节' || n,
              '执法人员', '执法人员', CASE WHEN kind < 7 OR (kind = 8 AND i % 20 < 10) THEN a.code END,
              p.business_key, 'completed', :now - make_interval(days => 90 - n * 10),
              :now - make_interval(days => 85 - n * 10), false, :now - make_interval(days => 86 - n * 10),
              'user' || (i % 50), PLACES
       FROM bench_case c JOIN process_instance p ON p.id = c.i JOIN agency a ON a.id = c.agency_id,
            generate_series(1, 6) n
       WHERE n <= CASE WHEN running THEN 4 ELSE 6 END""",
    "DROP TABLE bench_case",
    f"COMMENT ON TABLE task IS '{MARKER}'",
]
# Where each task is placed beyond its agency (engine.runtime.placement), as the runtime writes it: the instance's
# jurisdiction, the enterprise of its inspection (kinds 0-6) and of its named complaint (kind 7).
BUILD = [statement.replace("PLACE_COLUMNS", "instance_jurisdiction_id, inspection_enterprise_id, "
                                            "complaint_enterprise_id")
         .replace("PLACES", "p.jurisdiction_id, CASE WHEN kind < 7 THEN enterprise_id END, "
                            "CASE WHEN kind = 7 THEN enterprise_id END") for statement in BUILD]
SEQUENCES = ("jurisdiction", "agency", "enterprise", "diagram", "process_version", "process_instance",
             "joint_inspection_group", "inspection", "complaint")


def build(url: str, rebuild: bool) -> None:
    create_postgres_database(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        built = connection.scalar(text("SELECT obj_description('task'::regclass)")) == MARKER \
            if connection.scalar(text("SELECT to_regclass('task')")) else False
    engine.dispose()
    if built and not rebuild:
        upgrade(url)  # the code under test may bring indexes the data was built without
        return
    print("building the data (a few minutes) …", flush=True)
    started = time.perf_counter()
    recreate_postgres_schema(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in BUILD:
            connection.execute(text(statement), {"now": NOW})
        for table in SEQUENCES:
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


@dataclass(frozen=True)
class User:
    username: str
    role: str
    agency: str | None = None
    jurisdiction: str | None = None


# The largest, a middling and the smallest agency of one county; supervisors of two counties and of the city.
STAFF = (User("staff-big", "staff", agency="AG0100"), User("staff-mid", "staff", agency="AG0107"),
         User("head-mid", "agency_head", agency="AG0507"), User("staff-small", "staff", agency="AG0119"),
         User("user7", "staff", agency="AG0300"))
SUPERVISORS = (User("sup-county", "supervisor", jurisdiction="331101"),
               User("office-county", "county_office", jurisdiction="331105"),
               User("sup-city", "supervisor", jurisdiction="331100"))


def percentiles(timings: list[float]) -> tuple[float, float]:
    cuts = quantiles(timings, n=20, method="inclusive")
    return median(timings), cuts[18]


def measure(url: str, runs: int) -> dict[str, float]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    calendar = WorkingCalendar()
    cases = [(f"inbox {u.username} ({u.agency})", u, lambda s, u=u: len(inbox(s, u, NOW))) for u in STAFF]
    cases += [(f"overdue {u.username} ({u.jurisdiction})", u,
               lambda s, u=u: len(overdue_steps(s, scope_of(s, u), calendar, NOW))) for u in SUPERVISORS]
    figures: dict[str, float] = {}
    for kind in ("inbox", "overdue"):
        every: list[float] = []
        for label, _user, call in (case for case in cases if case[0].startswith(kind)):
            timings, found = [], 0
            for run in range(runs + 1):
                with sessions() as session:
                    started = time.perf_counter()
                    found = call(session)
                    elapsed = (time.perf_counter() - started) * 1000
                if run:  # the first is a warm-up
                    timings.append(elapsed)
            p50, p95 = percentiles(timings)
            every += timings
            print(f"{label:40} {found:4} rows  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms", flush=True)
        p50, p95 = percentiles(every)
        figures[f"{kind}_p50_ms"], figures[f"{kind}_p95_ms"] = round(p50, 2), round(p95, 2)
        print(f"{kind + ' overall':40}            p50 {p50:7.2f} ms  p95 {p95:7.2f} ms", flush=True)
    engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rebuild", action="store_true", help="empty the database and build the data again")
    parser.add_argument("--runs", type=int, default=50, help="timed calls per case (after one warm-up)")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("the data is built with PostgreSQL's generate_series: give a postgresql+psycopg:// URL")
    build(args.database_url, args.rebuild)
    print(json.dumps(measure(args.database_url, args.runs)))


if __name__ == "__main__":
    main()
