"""What an import did, in numbers and reasons, for the operator who ran it."""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# How many examples of one reason the printed report names; the JSON report has all.
EXAMPLES = 5


@dataclass
class Report:
    title: str
    counts: Counter = field(default_factory=Counter)
    skipped: dict = field(default_factory=lambda: defaultdict(list))  # reason -> [labels]
    warnings: dict = field(default_factory=lambda: defaultdict(list))  # message -> [labels]
    failed: list = field(default_factory=list)  # [(label, error)]
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    def count(self, what: str, n: int = 1):
        self.counts[what] += n

    def skip(self, label: str, reason: str):
        self.counts["skipped"] += 1
        self.skipped[reason].append(label)

    def warn(self, label: str, message: str):
        self.warnings[message].append(label)

    def fail(self, label: str, error):
        self.counts["failed"] += 1
        self.failed.append((label, str(error)))

    def note(self, text: str):
        self.notes.append(text)

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        done = ", ".join(f"{n:,} {what}" for what, n in self.counts.items() if n) or "nothing to do"
        out = [f"{self.title}: {done}" + (f" in {self.seconds:.1f} s" if self.seconds else "")]
        out += self.notes
        for heading, groups in (("Skipped", self.skipped), ("Warnings", self.warnings)):
            if groups:
                out.append(f"{heading}:")
                for reason, labels in sorted(groups.items(), key=lambda kv: -len(kv[1])):
                    examples = "; ".join(labels[:EXAMPLES]) + ("; …" if len(labels) > EXAMPLES else "")
                    out.append(f"  {len(labels):,} × {reason}: {examples}")
        if self.failed:
            out.append("Failed:")
            out += [f"  {label}: {error}" for label, error in self.failed]
        return out

    def __str__(self):
        return "\n".join(self.lines())

    def as_dict(self) -> dict:
        return {
            "title": self.title, "counts": dict(self.counts), "seconds": round(self.seconds, 3),
            "skipped": dict(self.skipped), "warnings": dict(self.warnings),
            "failed": [{"item": label, "error": error} for label, error in self.failed], "notes": self.notes,
        }

    def write_json(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.as_dict(), f, ensure_ascii=False, indent=1)
