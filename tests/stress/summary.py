"""The one-line summary every stress part prints."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Summary:
    part: str
    cases: int = 0
    failures: int = 0
    lost: int = 0
    doubled: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.failures == 0 and self.lost == 0 and self.doubled == 0

    def line(self) -> str:
        extra = f" · {'; '.join(self.notes)}" if self.notes else ""
        return (f"{self.part}: {self.cases} cases, {self.failures} failures, {self.lost} lost, "
                f"{self.doubled} doubled, {self.seconds:.1f} s{extra}")
