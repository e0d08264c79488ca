"""How fast the people-facing pages answer: search, suggest, timeline, matrix, figures, an
entity page and the editor's completion, in-process (Flask's test client, no network),
median and worst of N requests.

    python bench/pages.py              # 50 requests per page
    python bench/pages.py --repeats 200 --cache-dir /tmp/govkg-bench

The first request of each page is timed apart ("first"): the timeline, matrix and figures
are computed once per worker and language, and the search index is opened on first use.
"""

from __future__ import annotations

import argparse
import statistics
import time

PAGES = (
    "/search/suggest?q=yss",
    "/search/suggest?q=政务",
    "/search?q=政务",
    "/search?q=yueshengshi&format=json",
    "/timeline",
    "/timeline?province=guangdong",
    "/compare",
    "/figures",
    "/id/platform/yueshengshi.html",
    "/sparql/terms?kind=entity&q=",
    "/sparql/terms?kind=entity&q=粤省",
    "/sparql/terms?kind=property&q=gk:la",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--lang", default="zh")
    args = parser.parse_args()

    from govkg.web.app import create_app

    app = create_app({"cache_dir": args.cache_dir} if args.cache_dir else None)
    client = app.test_client()
    headers = {"Accept": "text/html", "Accept-Language": args.lang}
    print(f"{'page':40} {'first ms':>9} {'median ms':>10} {'max ms':>8}")
    for page in PAGES:
        start = time.perf_counter()
        assert client.get(page, headers=headers).status_code == 200, page
        first = (time.perf_counter() - start) * 1000
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            client.get(page, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{page:40} {first:9.1f} {statistics.median(times):10.1f} {max(times):8.1f}")


if __name__ == "__main__":
    main()
