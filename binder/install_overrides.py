"""Copy binder/overrides.json to where this Python's JupyterLab reads its default settings.

JupyterLab takes <application directory>/settings/overrides.json as the defaults of every
user of the environment: `make install` (.venv) and Binder's postBuild both run this, so a
student's first JupyterLab shows no "would you like to get news?" prompt over the apps.
"""
import shutil
from pathlib import Path

from jupyterlab.commands import get_app_dir

settings = Path(get_app_dir()) / "settings"
settings.mkdir(parents=True, exist_ok=True)
shutil.copy(Path(__file__).with_name("overrides.json"), settings / "overrides.json")
print("JupyterLab defaults:", settings / "overrides.json")
