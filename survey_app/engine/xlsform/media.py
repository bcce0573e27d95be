"""Media columns (`image`, `audio`, `video`, `media::image::English (en)`) and the files behind them.

A file named by a row is kept when the upload brought it (a .zip, as KoboToolbox exports
a form with its media): it becomes one of the form version's media files, by its sha256, so
phones can cache it for good. A file the upload lacks is reported by row and left out.
"""

import hashlib

from .workbook import media_type


class MediaFiles:
    """The files that came with a form, and those its rows use (the form version's `media_files`)."""

    def __init__(self, files: dict[str, bytes], report):
        self.files = files
        self.report = report
        self.kept: dict[str, dict] = {}

    def keep(self, columns: dict, where: str, texts) -> dict:
        """Return {kind: {lang: file}} for the files present; report the others. `texts` merges languages."""
        kept = {}
        for kind, by_language in columns.items():
            for code, name in texts(by_language, where).items():
                name = name.strip()
                if name not in self.files:
                    self.report.warn(f"{where}: {kind} file '{name}' is not in the upload; "
                                     "it is shown without it (import a .zip of the form and its media)")
                    continue
                self.attach(name)
                kept.setdefault(kind, {})[code] = name
        return kept

    def attach(self, name: str) -> None:
        """Record a file as one of the form version's media files (its bytes go with the report)."""
        content = self.files[name]
        self.kept[name] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
                                  "type": media_type(name)}
        self.report.files[name] = content
