"""Drive a running ip-mock with intelliprint-py 0.1.2, a third-party Python SDK
for the Intelliprint API, and check everything the SDK returns or raises.

The SDK is used unmodified and as its README shows. Its only change is the
class attribute BaseService.BASE_URL, which the SDK offers no option for.
Every response goes through the SDK's own request and error handling.

Usage: python conformance.py --base-url http://127.0.0.1:PORT

The mock must run with a realtime clock of about 100000 virtual seconds per
wall second. A lifecycle then takes at most a few wall seconds, and test jobs
are still there for about six wall seconds after confirmation.

Prints one line per check and closes with "conformance: N passed, N failed".
Exits with 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from typing import Any, Callable

from intelliprint_py import (
    IntelliprintAddress,
    IntelliprintClient,
    IntelliprintError,
    IntelliprintRecipient,
    LetterStatus,
    PostageService,
    PostageSettings,
    PostcardSize,
    PrintingSettings,
    PrintType,
    UserAddress,
    UserData,
)
from intelliprint_py.services.base import BaseService

API_KEY = "conformance_intelliprint_py"

# Wall-clock bound for each wait on the mock's simulated time, in seconds.
WAIT_SECONDS = 30.0

# The order in which a delivered letter moves through its statuses.
LIFECYCLE = [
    LetterStatus.DRAFT,
    LetterStatus.WAITING_TO_PRINT,
    LetterStatus.PRINTING,
    LetterStatus.ENCLOSING,
    LetterStatus.SHIPPING,
    LetterStatus.SENT,
]

YEAR_SECONDS = 365 * 24 * 3600

# NOTE: the SDK does not percent-encode list query values (it joins
# "key=value" pairs itself). requests encodes a space, but "&", "#" or "+"
# in a reference would corrupt the query, so the references filtered on
# below contain none of them.
REFERENCE_A = "conformance A"
REFERENCE_A_UPDATED = "conformance A updated"
REFERENCE_B = "conformance B"
REFERENCE_C = "conformance C"


class Checks:
    """Counts passed checks and prints each result as it happens."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def check(self, name: str, condition: bool, detail: object = "") -> bool:
        if condition:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed.append(name)
            print(f"FAIL {name}: {detail}")
        return condition

    def equal(self, name: str, actual: Any, expected: Any) -> bool:
        return self.check(name, actual == expected, f"expected {expected!r}, got {actual!r}")

    def expect_error(
        self,
        name: str,
        call: Callable[[], Any],
        error_type: str,
        error_code: str,
    ) -> None:
        """Check that `call` raises the SDK's IntelliprintError with this type and code."""
        try:
            result = call()
        except IntelliprintError as err:
            self.equal(f"{name}: error type", err.error_type, error_type)
            self.equal(f"{name}: error code", err.error_code, error_code)
            self.check(
                f"{name}: error message",
                bool(err.message) and err.message != "Unknown error",
                f"message {err.message!r}",
            )
            return
        except Exception as err:  # noqa: BLE001 - any other exception is the failure reported
            self.check(f"{name}: raises IntelliprintError", False, f"raised {err!r}")
            return
        self.check(f"{name}: raises IntelliprintError", False, f"returned {result!r}")


def statuses(job: dict[str, Any]) -> list[LetterStatus]:
    """Parse the letters' statuses with the SDK's own LetterStatus enum.

    The enum names the address failure failed_wrong_address and has no
    invalid_address, which the real API's tracking page uses, so a letter in
    that status would raise ValueError here. No letter in this run can reach
    it, because it needs a tracked service.
    """
    return [LetterStatus(letter["status"]) for letter in job["letters"]]


def ids(page: dict[str, Any]) -> list[str]:
    return [job["id"] for job in page["data"]]


def recipient(
    name: str, line: str, postcode: str, variables: dict[str, Any] | None = None
) -> IntelliprintRecipient:
    return IntelliprintRecipient(
        address=IntelliprintAddress(name=name, line=line, postcode=postcode),
        variables=variables,
    )


def wait_for_sent(
    checks: Checks, client: IntelliprintClient, print_id: str
) -> dict[str, Any] | None:
    """Poll a confirmed job until every letter is sent, checking that each
    letter only moves forward along LIFECYCLE. Returns the last job seen, or
    None after WAIT_SECONDS."""
    seen: dict[str, list[LetterStatus]] = {}
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job = client.prints.get(print_id)
        for letter, status in zip(job["letters"], statuses(job)):
            history = seen.setdefault(letter["id"], [])
            if not history or history[-1] != status:
                history.append(status)
        if all(status == LetterStatus.SENT for status in statuses(job)):
            for letter_id, history in seen.items():
                positions = [LIFECYCLE.index(status) for status in history]
                checks.check(
                    f"letter {letter_id} only moved forward",
                    positions == sorted(positions),
                    f"history {[status.value for status in history]}",
                )
            return job
        time.sleep(0.005)
    checks.check("letters reach sent in time", False, f"last statuses {seen}")
    return None


def wait_for_purge(checks: Checks, client: IntelliprintClient, print_id: str) -> None:
    """Poll until a confirmed test job is gone, as the real API deletes test
    jobs a week after confirmation."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            client.prints.get(print_id)
        except IntelliprintError as err:
            checks.equal("purged test job: error code", err.error_code, "not_found")
            return
        time.sleep(0.05)
    checks.check("test job deleted a week after confirmation", False, f"{print_id} still there")


def check_created_draft(checks: Checks, job: dict[str, Any]) -> None:
    checks.check("create: id is a print id", job["id"].startswith("print_"), job["id"])
    checks.equal("create: object", job["object"], "print")
    checks.check("create: account id", job["account"].startswith("acc_"), job["account"])
    checks.check("create: created is unix seconds", isinstance(job["created"], int), job["created"])
    checks.equal("create: testmode", job["testmode"], True)
    checks.equal("create: confirmed", job["confirmed"], False)
    checks.equal("create: confirmed_at", job["confirmed_at"], None)
    checks.equal("create: type", job["type"], PrintType.LETTER.value)
    checks.equal("create: reference", job["reference"], REFERENCE_A)
    checks.equal("create: letter count", len(job["letters"]), 2)
    checks.equal("create: letter statuses", statuses(job), [LetterStatus.DRAFT] * 2)
    checks.equal("create: pages, one per letter", job["pages"], 2)
    checks.equal("create: sheets, one per letter", job["sheets"], 2)
    checks.equal(
        "create: cost of a test job",
        job["cost"],
        {"amount": 0, "tax": 0, "after_tax": 0, "currency": "GBP"},
    )
    checks.equal("create: postage service", job["postage"]["service"], "uk_first_class")
    checks.equal("create: double sided", job["printing"]["double_sided"], "yes")
    checks.equal("create: black and white", job["printing"]["black_and_white"], True)
    checks.equal("create: metadata", job["metadata"], {"order": "A-1"})

    first = job["letters"][0]
    checks.check("create: letter id", first["id"].startswith("ltr_"), first["id"])
    checks.equal(
        "create: letter address",
        first["address"],
        {"name": "Ada Lovelace", "line": "1 High Street, London", "postcode": "SW1A 1AA", "country": "GB"},
    )
    checks.equal("create: letter envelope", first["envelope"], "c5")
    checks.equal("create: letter postage service", first["postage_service"], "uk_first_class")
    checks.equal("create: letter shipped_date", first["shipped_date"], None)
    checks.check("create: no tracking number yet", "tracking_number" not in first, first)


def run(checks: Checks, base_url: str) -> None:
    BaseService.BASE_URL = base_url.rstrip("/") + "/v1"
    client = IntelliprintClient(api_key=API_KEY)

    # A draft with two recipients, created from HTML content.
    job_a = client.prints.create(
        content="<h1>Hello {name}</h1><p>This is a test letter.</p>",
        testmode=True,
        reference=REFERENCE_A,
        recipients=[
            recipient("Ada Lovelace", "1 High Street, London", "SW1A 1AA", {"name": "Ada"}),
            recipient(
                "Charles Babbage", "2 Dorset Street, London", "W1U 6QS", {"name": "Charles"}
            ),
        ],
        # double_sided_specific_pages stays unset. The SDK types it as a list
        # of page indexes, while the mock takes a string such as "1-3,6-7", as
        # another public integration sends it.
        printing=PrintingSettings(double_sided="yes", black_and_white=True),
        postage=PostageSettings(service=PostageService.UK_FIRST_CLASS),
        metadata={"order": "A-1"},
    )
    check_created_draft(checks, job_a)
    id_a = job_a["id"]

    # A draft for the recipient in the SDK README's UserData example.
    user = UserData(
        first_name="john",
        last_name="doe",
        email="john@example.com",
        user_id="customer_12345",
        address=[
            UserAddress(
                building_number="123",
                thoroughfare="Main Street",
                post_town="London",
                postcode="SW1A 1AA",
            )
        ],
        extra={"membership_level": "gold"},
    )
    job_b = client.prints.create(
        content="<p>Welcome, {first_name}!</p>",
        testmode=True,
        reference=REFERENCE_B,
        user_data=user,
    )
    id_b = job_b["id"]
    checks.equal("user data: letter name", job_b["letters"][0]["address"]["name"], "John Doe")
    checks.equal(
        "user data: letter line", job_b["letters"][0]["address"]["line"], "123, Main Street, London"
    )

    # A job confirmed on creation whose mail date is a year ahead, so its
    # letter waits to print until it is cancelled below.
    mail_date = job_a["created"] + YEAR_SECONDS
    job_c = client.prints.create(
        content="<p>Scheduled letter</p>",
        testmode=True,
        confirmed=True,
        reference=REFERENCE_C,
        recipients=[recipient("Grace Hopper", "3 Baker Street, London", "NW1 6XE")],
        postage=PostageSettings(mail_date=mail_date),
    )
    id_c = job_c["id"]
    checks.equal("confirmed create: confirmed", job_c["confirmed"], True)
    checks.check(
        "confirmed create: confirmed_at set",
        isinstance(job_c["confirmed_at"], int),
        job_c["confirmed_at"],
    )
    checks.equal("confirmed create: mail date", job_c["postage"]["mail_date"], mail_date)
    checks.equal("confirmed create: statuses", statuses(job_c), [LetterStatus.WAITING_TO_PRINT])

    # Retrieve.
    fetched = client.prints.get(id_a)
    checks.equal("retrieve: same job", fetched, job_a)

    # List with the filters the SDK offers.
    page = client.prints.list(testmode=True)
    checks.equal("list test jobs: object", page["object"], "list")
    checks.equal("list test jobs: newest first", ids(page), [id_c, id_b, id_a])
    checks.equal("list test jobs: total", page["total_available"], 3)
    checks.equal("list test jobs: has_more", page["has_more"], False)

    page = client.prints.list()
    checks.equal("list live jobs: test jobs hidden", page["total_available"], 0)

    page = client.prints.list(testmode=True, confirmed=False)
    checks.equal("list drafts", ids(page), [id_b, id_a])

    page = client.prints.list(testmode=True, confirmed=True)
    checks.equal("list confirmed", ids(page), [id_c])

    page = client.prints.list(testmode=True, reference=REFERENCE_A)
    checks.equal("list by reference", ids(page), [id_a])

    page = client.prints.list(testmode=True, print_type=PrintType.POSTCARD)
    checks.equal("list postcards", page["total_available"], 0)

    page = client.prints.list(testmode=True, limit=1, skip=1, sort_order="asc")
    checks.equal("list page two of one: data", ids(page), [id_b])
    checks.equal("list page two of one: has_more", page["has_more"], True)
    checks.equal("list page two of one: total", page["total_available"], 3)

    page = client.prints.list(testmode=True, sort_field="reference", sort_order="asc")
    checks.equal("list sorted by reference", ids(page), [id_a, id_b, id_c])

    # Cancel the scheduled job: its letter is still waiting to print.
    cancelled = client.prints.delete(id_c)
    checks.equal("cancel: returns the job", cancelled["id"], id_c)
    checks.check("cancel: job not deleted", "deleted" not in cancelled, cancelled)
    checks.equal("cancel: statuses", statuses(cancelled), [LetterStatus.CANCELLED])
    checks.equal("cancel: retrieve", statuses(client.prints.get(id_c)), [LetterStatus.CANCELLED])

    # Update the reference of the draft, then confirm it.
    updated = client.prints.update(id_a, reference=REFERENCE_A_UPDATED)
    checks.equal("update: reference", updated["reference"], REFERENCE_A_UPDATED)
    checks.equal("update: still a draft", updated["confirmed"], False)
    checks.equal("update: other settings kept", updated["postage"]["service"], "uk_first_class")
    page = client.prints.list(testmode=True, reference=REFERENCE_A_UPDATED)
    checks.equal("update: listed by new reference", ids(page), [id_a])

    confirmed = client.prints.confirm(id_a)
    checks.equal("confirm: confirmed", confirmed["confirmed"], True)
    checks.check(
        "confirm: confirmed_at set", isinstance(confirmed["confirmed_at"], int), confirmed
    )
    checks.equal(
        "confirm: statuses", statuses(confirmed), [LetterStatus.WAITING_TO_PRINT] * 2
    )

    sent = wait_for_sent(checks, client, id_a)
    if sent is not None:
        for letter in sent["letters"]:
            checks.check(
                f"sent: {letter['id']} shipped_date after confirmation",
                isinstance(letter["shipped_date"], int)
                and letter["shipped_date"] >= confirmed["confirmed_at"],
                letter,
            )
            checks.check(
                f"sent: {letter['id']} untracked service has no tracking number",
                "tracking_number" not in letter,
                letter,
            )

    # Delete the draft: it is gone for good.
    deleted = client.prints.delete(id_b)
    checks.equal("delete draft", deleted, {"object": "print", "id": id_b, "deleted": True})
    page = client.prints.list(testmode=True)
    checks.check("delete draft: not listed", id_b not in ids(page), ids(page))

    # Errors, each raised as the SDK's own IntelliprintError.
    checks.expect_error(
        "unknown id",
        lambda: client.prints.get("print_doesnotexist"),
        "invalid_request_error",
        "not_found",
    )
    checks.expect_error(
        "id of the wrong shape",
        lambda: client.prints.get("invalid_id"),
        "invalid_request_error",
        "parameter_invalid",
    )
    checks.expect_error(
        "deleted draft retrieved",
        lambda: client.prints.get(id_b),
        "invalid_request_error",
        "not_found",
    )
    checks.expect_error(
        "deleted draft confirmed",
        lambda: client.prints.confirm(id_b),
        "invalid_request_error",
        "not_found",
    )
    checks.expect_error(
        "confirmed job updated",
        lambda: client.prints.update(id_a, reference="too late"),
        "invalid_request_error",
        "forbidden",
    )
    checks.expect_error(
        "list limit 0",
        lambda: client.prints.list(testmode=True, limit=0),
        "invalid_request_error",
        "parameter_invalid",
    )
    checks.expect_error(
        "list limit 1001",
        lambda: client.prints.list(testmode=True, limit=1001),
        "invalid_request_error",
        "parameter_invalid",
    )
    checks.expect_error(
        "list negative skip",
        lambda: client.prints.list(testmode=True, skip=-1),
        "invalid_request_error",
        "parameter_invalid",
    )
    checks.expect_error(
        "list unknown sort field",
        lambda: client.prints.list(testmode=True, sort_field="colour"),
        "invalid_request_error",
        "parameter_invalid",
    )
    checks.expect_error(
        "create without content",
        lambda: client.prints.create(
            testmode=True, recipients=[recipient("Ada", "1 High Street", "SW1A 1AA")]
        ),
        "invalid_request_error",
        "parameter_missing",
    )
    checks.expect_error(
        "create with a three-letter country",
        lambda: client.prints.create(
            content="x",
            testmode=True,
            recipients=[
                IntelliprintRecipient(
                    address=IntelliprintAddress(line="1 High Street", country="GBR")
                )
            ],
        ),
        "invalid_request_error",
        "parameter_invalid",
    )
    # The SDK's PostageSettings defaults ideal_envelope to the letter envelope
    # c5 even for postcards, so a postcard must name a postcard size.
    checks.expect_error(
        "postcard with a tracked service",
        lambda: client.prints.create(
            content="x",
            testmode=True,
            print_type=PrintType.POSTCARD,
            recipients=[recipient("Ada", "1 High Street", "SW1A 1AA")],
            postage=PostageSettings(
                service=PostageService.TRACKED_24, ideal_envelope=PostcardSize.A6
            ),
        ),
        "invalid_request_error",
        "parameter_invalid",
    )
    checks.expect_error(
        "payment failure",
        lambda: client.prints.create(
            content="x",
            testmode=True,
            confirmed=True,
            reference="mock:payment_error",
            recipients=[recipient("Ada", "1 High Street", "SW1A 1AA")],
        ),
        "payment_error",
        "payment_error",
    )
    checks.expect_error(
        "rate limited",
        lambda: client.prints.create(
            content="x",
            testmode=True,
            reference="mock:rate_limited",
            recipients=[recipient("Ada", "1 High Street", "SW1A 1AA")],
        ),
        "rate_limited",
        "rate_limited",
    )
    checks.expect_error(
        "API key with a space",
        lambda: IntelliprintClient(api_key="not a key").prints.list(),
        "authentication_error",
        "invalid_api_key",
    )

    # Both confirmed test jobs are deleted a week after confirmation.
    wait_for_purge(checks, client, id_a)
    page = client.prints.list(testmode=True)
    checks.equal("after purge: no test jobs left", page["total_available"], 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base-url",
        required=True,
        help="root URL of a running ip-mock, for example http://127.0.0.1:4480",
    )
    args = parser.parse_args()
    # One line per check as it happens, even when the output is a pipe.
    sys.stdout.reconfigure(line_buffering=True)

    checks = Checks()
    try:
        run(checks, args.base_url)
    except Exception:  # noqa: BLE001 - an unexpected error fails the run with its traceback
        traceback.print_exc(file=sys.stdout)
        checks.check("run finished without an unexpected exception", False, "see the traceback above")

    print(f"conformance: {checks.passed} passed, {len(checks.failed)} failed")
    for name in checks.failed:
        print(f"  failed: {name}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
