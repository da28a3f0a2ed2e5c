"""common is the bottom layer: it imports no app of the project and not config (project-wide glue such
as health, system status and navigation lives in config, which may import everything)."""
import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

COMMON = Path(settings.BASE_DIR) / "common"


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_common_imports_no_app_and_not_config():
    higher = {config.name for config in apps.get_app_configs()
              if Path(config.path).parent == settings.BASE_DIR and config.name != "common"} | {"config"}
    found = sorted(f"{path.relative_to(COMMON)}: {module}" for path in COMMON.rglob("*.py")
                   for module in _imported_modules(path) if module.split(".")[0] in higher)
    assert found == []
