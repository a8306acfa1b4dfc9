"""Validates Passerelle's data·inclusion files with the official models of the schema
(`data-inclusion-schema`, scripts/test-requirements.txt), warnings included, and checks each
service's opening hours against the presence schedules the caller expects.

Usage: check_data_inclusion.py STRUCTURES.json SERVICES.json EXPECTED_HOURS.json
EXPECTED_HOURS maps a service id to a list of [day, "HH:MM", "HH:MM"] (day: Mo … Su), the
slots in effect today. Exits non-zero with the reasons on stderr; prints a summary line.
"""

import json
import re
import sys

from data_inclusion.schema.v1 import Service, Structure

STRICT = {"ignore_warnings": False}
DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def read_hours(text):
    """The (day, start, end) triples of the simple OpenStreetMap rules Passerelle writes:
    `Tu 09:00-12:00,14:00-17:00; Th 14:00-17:00; PH off`. Anything else is an error."""
    rules = [rule.strip() for rule in text.split(";")]
    if rules[-1] != "PH off":
        raise ValueError(f"public holidays not off: {text!r}")
    found = set()
    seen_days = []
    for rule in rules[:-1]:
        day, _, ranges = rule.partition(" ")
        if day not in DAYS or day in seen_days:
            raise ValueError(f"bad or repeated day {day!r} in {text!r}")
        seen_days.append(day)
        for hours in ranges.split(","):
            match = RANGE.match(hours)
            if not match:
                raise ValueError(f"bad range {hours!r} in {text!r}")
            h1, m1, h2, m2 = map(int, match.groups())
            if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60 and (h1, m1) < (h2, m2)):
                raise ValueError(f"impossible range {hours!r} in {text!r}")
            found.add((day, hours[:5], hours[6:]))
    if seen_days != sorted(seen_days, key=DAYS.index):
        raise ValueError(f"days out of order in {text!r}")
    return found


def main(structures_path, services_path, expected_path):
    errors = []
    with open(structures_path, encoding="utf-8") as f:
        structures = json.load(f)
    with open(services_path, encoding="utf-8") as f:
        services = json.load(f)
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    structure_ids = set()
    for item in structures:
        try:
            structure = Structure.model_validate(item, context=STRICT)
            structure_ids.add(structure.id)
        except Exception as error:  # the model's own message says what is wrong
            errors.append(f"structure {item.get('id')}: {error}")
    with_hours = 0
    for item in services:
        try:
            service = Service.model_validate(item, context=STRICT)
        except Exception as error:
            errors.append(f"service {item.get('id')}: {error}")
            continue
        if service.structure_id not in structure_ids:
            errors.append(f"service {service.id}: unknown structure {service.structure_id}")
        if service.contact_nom_prenom is not None:
            errors.append(f"service {service.id}: a personal name")
        slots = {tuple(slot) for slot in expected.get(service.id, [])}
        if service.horaires_accueil is None:
            if slots:
                errors.append(f"service {service.id}: no hours but slots {sorted(slots)}")
            continue
        with_hours += 1
        try:
            read = read_hours(service.horaires_accueil)
        except ValueError as error:
            errors.append(f"service {service.id}: {error}")
            continue
        if read != slots:
            errors.append(
                f"service {service.id}: hours {service.horaires_accueil!r} "
                f"say {sorted(read)}, the schedule {sorted(slots)}"
            )
    missing = set(expected) - {item.get("id") for item in services}
    if missing:
        errors.append(f"services missing: {sorted(missing)}")
    if errors:
        sys.stderr.write("\n".join(errors) + "\n")
        return 1
    print(f"{len(structures)} structures, {len(services)} services, {with_hours} with hours: valid")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
