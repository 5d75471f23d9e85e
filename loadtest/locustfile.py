"""The load test's users: operators saving the daily entry form, officials reloading dashboards.

Run by `loadtest/run.sh`, which seeds the database and writes the plan this file reads
(`LOADTEST_PLAN`, see `seed.py`). Run it as one locust process: the logins of the plan are handed
out by a counter in the process. Every save is written to a JSON-lines file in
`LOADTEST_RESULTS` so that `verify.py` can compare it with the database afterwards: each save
names the operator, the day and the count typed for each device.

A save is one line `{"op": ..., "day": ..., "counts": {"<device pk>": n}, "status": ...}`:
`sent` just before the POST, then `saved` (302 back to the form) or `refused` (the form came back
with an error, a conflict or a warning, or the server failed). A `sent` line with no outcome is a
request the end of the run cut off; `verify.py` reports it on its own.
"""

import html
import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser
from locust.util.timespan import parse_timespan

PLAN = json.loads(Path(os.environ.get("LOADTEST_PLAN", "plan.json")).read_text(encoding="utf-8"))
RESULTS_DIR = Path(os.environ.get("LOADTEST_RESULTS", "."))
PASSWORD = PLAN["password"]
# The measured window: it opens when the last user has logged in (see `_Phase`).
DURATION = parse_timespan(os.environ.get("LOADTEST_DURATION", "2m"))
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
COUNT_RE = re.compile(r'name="count-(\d+)"')
VERSION_RE = re.compile(r'name="version-(\d+)" value="(\d+)"')
DAY_RE = re.compile(r'id="entry-date" name="date" value="(\d{4}-\d{2}-\d{2})"')
PREVIOUS_RE = re.compile(r'<a href="([^"]+)" rel="prev">')
SAVED_RE = re.compile(r"Tersimpan: (\d+) baru, (\d+) diperbarui, (\d+) tidak berubah")
# What the entry page shows when it refuses a save (entry.html): errors, conflicts, warnings.
REFUSED_RE = re.compile(r'class="(error|conflict-box|warning-box)" role="alert">(.*?)</div>', re.S)
TAG_RE = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(TAG_RE.sub(" ", fragment)).split())[:300]


def _csrf(response) -> str | None:
    match = CSRF_RE.search(response.text or "")
    return match[1] if match else None


class _Results:
    """This process's JSON-lines file of saves, flushed line by line."""

    _file = None

    @classmethod
    def write(cls, **record):
        if cls._file is None:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            cls._file = (RESULTS_DIR / f"saves-{os.getpid()}.jsonl").open("a", encoding="utf-8")
        cls._file.write(json.dumps(record) + "\n")
        cls._file.flush()


def _figures_write(stats, file_name: str):
    """Locust's figures so far, per request name and for all requests, as JSON in RESULTS_DIR.

    Written at the end of each phase, when every request of it has completed (locust's CSV is
    rewritten every few seconds and can miss the last ones).
    """
    entries = [(name, entry) for (name, _method), entry in stats.entries.items()]
    figures = {
        "seconds": round((stats.last_request_timestamp or stats.start_time) - stats.start_time, 1),
        "requests": {
            name: {
                "count": entry.num_requests,
                "failures": entry.num_failures,
                "per_second": round(entry.total_rps, 2),
                # Locust rounds to 2 significant digits, except with few requests (exact).
                "median_ms": round(entry.median_response_time),
                "p95_ms": round(entry.get_response_time_percentile(0.95)),
                "max_ms": round(entry.max_response_time or 0),
            }
            for name, entry in [*sorted(entries), ("all requests", stats.total)]
            if entry.num_requests
        },
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / file_name).write_text(json.dumps(figures, indent=1), encoding="utf-8")


class _Phase:
    """Everyone logs in first, then everyone works for DURATION: the figures cover that window.

    Seventy logins at once are a burst of deliberately slow password hashing; measured with the
    work, they would hide how saving and reading behave. Their figures are kept apart in
    `login_phase.json`; the users wait here until the last one is in, then the statistics start
    from zero and the run stops DURATION later (locust's `-t` remains the outer bound). The
    window's figures go to `window.json` once the last save has finished.
    """

    arrived = 0
    opened = Event()

    @classmethod
    def arrive(cls, environment):
        cls.arrived += 1
        if cls.arrived < Operator.fixed_count + Official.fixed_count:
            return
        _figures_write(environment.stats, "login_phase.json")
        environment.stats.reset_all()
        cls.opened.set()
        gevent.spawn_later(DURATION, environment.runner.quit)


@events.test_stop.add_listener
def _window_end(environment, **_kwargs):
    if _Phase.opened.is_set():
        _figures_write(environment.stats, "window.json")


class _LoggedIn(FastHttpUser):
    """Logs in through the login page, as a browser does (CSRF token, session cookie)."""

    abstract = True
    logins: list[dict] = []
    _numbers = None
    # A browser waits minutes for a page; locust's default of 60 s would count a login stuck
    # behind the burst of password hashing as failed although the server completes it.
    network_timeout = connection_timeout = 120.0

    def on_start(self):
        try:
            self._log_in()
        finally:
            _Phase.arrive(self.environment)
        _Phase.opened.wait()
        # People do not all click at the same instant when the window opens.
        gevent.sleep(random.uniform(0, 5))

    def _log_in(self):
        number = next(type(self)._numbers)
        if number >= len(self.logins):
            raise StopUser()
        self.login = self.logins[number]
        with self.client.get("/masuk/", name="login form", catch_response=True) as response:
            token = _csrf(response)
            if not token:
                response.failure("no CSRF token on the login page")
                raise StopUser()
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": self.login["username"],
                "password": PASSWORD,
                "next": "",
            }
        )
        with self.client.post(
            "/masuk/",
            data=body,
            headers=FORM_HEADERS,
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.login['username']}: {response.status_code}")
                raise StopUser()


class Operator(_LoggedIn):
    """An operator of one kecamatan catching up on the daily counts, one day after another.

    Opens the entry form of their kecamatan, types a count for every device on it, saves, reads
    the confirmation, and goes to the previous day. Each operator is alone in their kecamatan,
    so no save may meet a conflict; each day is new, so each save creates every row it sends.
    """

    fixed_count = int(os.environ.get("LOADTEST_OPERATORS", "50"))
    wait_time = between(1, 3)
    logins = PLAN["operators"]
    _numbers = itertools.count()

    def on_start(self):
        super().on_start()
        self.rng = random.Random(self.login["username"])
        # The eligible population left in the kecamatan: the counts stay well below it, or the
        # form would (rightly) ask for a confirmation.
        self.room = self.login["headroom"]
        self.form_url = f"/entri/?{urlencode({'area': self.login['area']})}"

    def _counts(self, device_pks: list[str]) -> dict[str, int]:
        budget = self.room // (20 * len(device_pks))
        top = min(PLAN["capacity"] * 2 // 5, budget)
        return {pk: self.rng.randint(min(10, top), top) for pk in device_pks}

    @task
    def save_a_day(self):
        with self.client.get(self.form_url, name="entry form", catch_response=True) as response:
            page = response.text or ""
            token, day = _csrf(response), DAY_RE.search(page)
            devices = COUNT_RE.findall(page)
            versions = dict(VERSION_RE.findall(page))
            previous = PREVIOUS_RE.search(page)
            if not (token and day and devices and previous):
                response.failure(f"entry form incomplete ({response.status_code})")
                return
            if any(version != "0" for version in versions.values()):
                # The day already has counts: an earlier run's, or someone else's. Skip it.
                response.failure(f"{day[1]} already has counts in {self.login['area']}")
                self.form_url = html.unescape(previous[1])
                return
        day = day[1]
        counts = self._counts(devices)
        fields = {"csrfmiddlewaretoken": token}
        for pk in devices:
            fields[f"count-{pk}"] = str(counts[pk])
            fields[f"note-{pk}"] = ""
            fields[f"version-{pk}"] = versions.get(pk, "0")
        # Typing a handful of counts; gevent.sleep, not self.wait(): a save once begun is
        # finished even when the run ends (with --stop-timeout), so every POST has an outcome.
        gevent.sleep(self.rng.uniform(1, 3))
        record = {"op": self.login["username"], "day": day, "counts": counts}
        _Results.write(status="sent", **record)
        post_url = f"/entri/?{urlencode({'area': self.login['area'], 'date': day})}"
        with self.client.post(
            post_url,
            data=urlencode(fields),
            headers=FORM_HEADERS,
            name="entry save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and "/entri/" in response.headers.get("Location", ""):
                _Results.write(status="saved", **record)
                self.room -= sum(counts.values())
                redirect = response.headers["Location"]
            else:
                refused = REFUSED_RE.findall(response.text or "")
                why = "; ".join(_text(body) for _kind, body in refused) or "no message"
                _Results.write(status="refused", why=why, code=response.status_code, **record)
                response.failure(f"save {day} {self.login['area']}: {response.status_code} {why}")
                return
        with self.client.get(redirect, name="entry form after save", catch_response=True) as after:
            saved = SAVED_RE.search(after.text or "")
            if not saved or int(saved[1]) != len(devices):
                after.failure(f"confirmation says {saved[0] if saved else 'nothing'}")
            previous = PREVIOUS_RE.search(after.text or "")
            if previous:
                self.form_url = html.unescape(previous[1])


class Official(_LoggedIn):
    """A provincial official reloading the dashboards of their province, down to a kecamatan."""

    fixed_count = int(os.environ.get("LOADTEST_OFFICIALS", "20"))
    wait_time = between(1, 3)
    logins = PLAN["officials"]
    _numbers = itertools.count()

    def on_start(self):
        super().on_start()
        self.rng = random.Random(self.login["username"])
        # Besides the fixed pages, the regencies and kecamatan where the operators are saving.
        areas = [op["area"] for op in PLAN["operators"]]
        self.pages = [tuple(page) for page in PLAN["dashboards"]]
        self.pages += [("regency", f"/wilayah/{code[:5]}/") for code in areas]
        self.pages += [("kecamatan", f"/wilayah/{code}/") for code in areas]

    @task(1)
    def home(self):
        # `/` sends an official to their province's dashboard.
        self.client.get("/", name="dashboard province (home)")

    @task(6)
    def dashboard(self):
        level, url = self.rng.choice(self.pages)
        self.client.get(url, name=f"dashboard {level}")
