"""Write a questionnaire back as YAML in the layout of `forms/*.yaml`.

A form edited in the browser or imported from XLSForm can so be committed to `forms/`
again (each text stays on one line, easier to edit in right-to-left languages);
loading the file again gives the same definition.
"""

import yaml

from .definition import definition_to_dict
from .loader import load_dict


def to_yaml(definition: dict, *, comment: str = "") -> str:
    """Return the YAML text of a definition, optionally under a leading comment."""
    data = definition_to_dict(load_dict(definition, source=str(definition.get("form_id"))))
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf"))
    header = "".join(f"# {line}\n".replace("# \n", "#\n") for line in comment.splitlines())
    return header + text
