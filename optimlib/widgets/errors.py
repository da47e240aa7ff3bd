"""Errors a student can see: an exception inside an app's callback is shown under the app.

ipywidgets and ipympl catch what a callback raises and write it to the browser's log (in
JupyterLab, the log console nobody opens), so a slider that "does nothing" would be all a
student saw. Every callback of an app runs through ``ErrorArea.guard``: an exception is shown
(its type and message, short, in red) in ``ErrorArea.widget`` below the app, the app repaints
what its state now is, and the next event that succeeds clears the message -- unless what
it broke is still broken (a race's optimizer whose last run failed), whose error stays.
"""
import functools
import html

import ipywidgets as widgets

__all__ = ["ErrorArea"]

_LONGEST = 300  # characters of a message shown; the rest is cut


class ErrorArea:
    """The place under an app where the error of its last event, if any, is shown."""

    def __init__(self):
        self.widget = widgets.HTML(layout=widgets.Layout(margin="0"))
        self.error = None  # the exception of the last event, None when it succeeded

    @property
    def message(self):
        """What is shown: "TypeError: what it said", or "" when the last event succeeded."""
        if self.error is None:
            return ""
        text = f"{type(self.error).__name__}: {self.error}".strip().rstrip(":")
        return text if len(text) <= _LONGEST else text[:_LONGEST - 1] + "…"

    def show(self, error):
        self.error = error
        self.widget.value = ("<div style='color:#B00000; font-family:monospace; "
                             "white-space:pre-wrap; padding:2px 4px; border-left:3px solid "
                             f"#B00000'>{html.escape(self.message)}</div>")

    def clear(self):
        if self.error is not None or self.widget.value:
            self.error, self.widget.value = None, ""

    def guard(self, reaction, recover=None, still=None):
        """``reaction`` as a callback that never raises: an exception is shown here, then
        ``recover()`` repaints the app (an error in it is ignored: the first one is shown).
        After a reaction that succeeds, ``still()`` (if given) names an error the app still
        has, which stays shown: a slider of another optimizer does not hide why one failed."""
        @functools.wraps(reaction)
        def guarded(*args, **kwargs):
            try:
                reaction(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 -- shown to the student, not swallowed
                self.show(error)
                if recover is not None:
                    try:
                        recover()
                    except Exception:  # noqa: BLE001
                        pass
            else:
                error = still() if still is not None else None
                if error is None:
                    self.clear()
                elif error is not self.error:
                    self.show(error)
        return guarded
