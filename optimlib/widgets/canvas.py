"""LiveCanvas: a figure's pixels in a notebook, repainted in a few milliseconds.

In JupyterLab the figure is an ipympl canvas, which sends the browser a PNG of the pixels
that changed. A full redraw (contour, ticks, text) takes ~100 ms, so the static parts are
drawn once into a cached background; an event restores that background, draws only the
"animated" artists (paths, markers, texts) and pushes the result with ``canvas.blit()``.
ipympl never blits by itself (``supports_blit`` is False), so the background is captured by
hand after every full draw. Without ipympl (e.g. Colab without its custom widget manager)
the same pixels go out as an inline PNG image. The shape follows the BlitManager of
matplotlib's blitting tutorial: an object the app holds, not a mixin.
"""
import base64
import contextlib
import io
import struct
import sys
import time
import zlib

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

__all__ = ["LiveCanvas", "use_ipympl"]

_ASKED_FOR = 2.0  # seconds a blit waits for an asked-for full draw, in case none comes


class LiveCanvas:
    """A Figure, the widget that shows it, its animated artists and its cached background.

    Call ``blit()`` after changing only animated artists; change a static artist inside
    ``with repainting(artist):``, then ``blit()``; ``redraw()`` after anything else.
    ``dpi``: pixels per inch of ``figsize`` (more draws everything larger, text included).
    """

    def __init__(self, figsize, backend="auto", dpi=100):
        self.ipympl = use_ipympl(backend)
        self.figure = Figure(figsize=figsize, dpi=dpi)
        if self.ipympl:
            from ipympl.backend_nbagg import Canvas, FigureManager
            canvas = Canvas(self.figure)
            FigureManager(canvas, 0)
            canvas.header_visible = canvas.footer_visible = False
            # The footer shows the pointer's coordinates: hidden, it would still get a
            # message for every move of the mouse over the figure.
            canvas.toolbar.set_message = lambda message: None
            canvas.resizable = False
            canvas.get_diff_image = _DropSafeDiffs(canvas)
            self.widget = canvas
        else:
            FigureCanvasAgg(self.figure)
            self.widget = widgets.Image(format="png")
        self._live_canvas, self._animated, self._background = self.figure.canvas, [], None
        self._asked_at = None  # when a full draw was asked of the browser and not yet done
        self._live_canvas.mpl_connect("draw_event", self._on_draw)

    @property
    def animated(self):
        """The artists repainted by every blit, in drawing order."""
        return tuple(self._animated)

    @property
    def background(self):
        """The cached picture without the animated artists (None until a full draw)."""
        return self._background

    def add_animated(self, *artists):
        """Make ``artists`` move: drawn by every blit, and never part of the background
        (a full draw leaves out an animated artist)."""
        for artist in artists:
            artist.set_animated(True)
        self._animated.extend(artists)

    @contextlib.contextmanager
    def repainting(self, *artists, region=None):
        """Change static ``artists`` in this block (an axis's limits, a mesh's colours): then
        they are repainted into the cached background inside ``region`` (a Bbox in display
        pixels; by default wherever they were or are now), without a full draw of the figure
        and, with ipympl, without the browser's round trip. Nothing else static may lie in
        the region. The next ``blit()`` shows them."""
        if self._background is None:  # nothing drawn yet: the first full draw shows them
            yield
            return
        renderer = self._live_canvas.get_renderer()
        boxes = [a.get_tightbbox(renderer) for a in artists] if region is None else [region]
        yield
        if region is None:
            boxes += [a.get_tightbbox(renderer) for a in artists]
        self._repaint(Bbox.union(boxes), artists, renderer)

    def _repaint(self, region, artists, renderer):
        """Draw ``artists`` afresh inside ``region`` of the background; outside it, the
        background stays as it was to the last pixel."""
        self._live_canvas.restore_region(self._background)
        pixels = np.asarray(renderer.buffer_rgba())
        before = pixels.copy()
        height, width = pixels.shape[:2]
        x0, y0 = (max(0, int(v) - 2) for v in region.p0)
        x1, y1 = min(width, int(region.x1) + 3), min(height, int(region.y1) + 3)
        inside = np.s_[height - y1:height - y0, x0:x1]  # rows count from the top
        pixels[inside] = np.round(255 * np.array(to_rgba(self.figure.get_facecolor())))
        for artist in artists:
            artist.draw(renderer)
        repainted = pixels[inside].copy()
        pixels[...] = before
        pixels[inside] = repainted
        self._background = self._live_canvas.copy_from_bbox(self.figure.bbox)

    def draw_first_frame(self):
        """Show the figure for the first time."""
        if not self.ipympl:
            self.redraw()
        # With ipympl, draw nothing yet: the browser asks for its first full image when it
        # attaches; an image sent before that would be a diff against a frame it never saw.

    def draw_animated(self):
        """Draw the animated artists over whatever the canvas holds now, lowest zorder first
        (as a full draw would; of equal ones, the first added first)."""
        for artist in sorted(self._animated, key=lambda artist: artist.get_zorder()):
            self.figure.draw_artist(artist)

    def blit(self):
        """Repaint only the animated artists over the cached background and send the result."""
        if self._background is None:
            return self.redraw()
        if self._asked_at is not None and time.monotonic() - self._asked_at < _ASKED_FOR:
            return  # a full draw is coming: no new paths on the old background meanwhile
        self._live_canvas.restore_region(self._background)
        self.draw_animated()
        if self.ipympl:
            self._live_canvas.blit(self.figure.bbox)
        else:
            self._send_png()

    def redraw(self):
        """Draw everything: the background is captured again on the way (``_on_draw``)."""
        if self.ipympl:
            # The browser answers with a draw request. (Drawing here at once instead left a
            # blend of the old and new contours in the page, in Chromium.)
            self._asked_at = time.monotonic()
            self._live_canvas.draw_idle()
        else:
            self._live_canvas.draw()
            self._send_png()

    def still(self):
        """The figure as it looks now, as PNG bytes, drawn apart from the live canvas."""
        try:
            FigureCanvasAgg(self.figure)  # a canvas of its own: the live one keeps its state
            with io.BytesIO() as png:
                self.figure.savefig(png, format="png")
                return png.getvalue()
        finally:
            self.figure.set_canvas(self._live_canvas)

    def mimebundle(self, widget, **kwargs):
        """``widget`` live, plus a still image for pages read without a kernel.

        JupyterLab shows the widget; nbconvert, GitHub and the static site (make site) have
        no kernel to drive it and show the image instead.
        """
        bundle = widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.still()).decode("ascii")
        return bundle

    def _on_draw(self, event):
        """After every full draw: keep the picture without the animated artists, then draw
        them on it."""
        if event.canvas is not self._live_canvas:
            return  # a draw for still(), not for the live canvas
        self._asked_at = None
        self._background = self._live_canvas.copy_from_bbox(self.figure.bbox)
        self.draw_animated()

    def _send_png(self):
        with io.BytesIO() as png:
            Image.fromarray(np.asarray(self._live_canvas.buffer_rgba())).save(png, format="png")
            self.widget.value = png.getvalue()


class _DropSafeDiffs:
    """The ipympl canvas's ``get_diff_image``, made safe against images the browser drops,
    and quick.

    webagg sends the pixels that changed since the image before, and the browser lays them
    over what it shows; but ipympl's browser side drops an image when the next one arrives
    before it has loaded (a burst of events, a slider's echo right after a new surface),
    and the pixels only the dropped image changed would stay old for good: pieces of an old
    path, a ghost start marker. So each image also carries every pixel that any image of
    the last ``WINDOW`` seconds changed: laid over what the browser shows after any of
    them, it gives the same picture. (After ``WINDOW`` the browser surely loaded one of them.)
    The image is encoded by ``png``, not by PIL (see there).
    """

    WINDOW = 0.5  # seconds

    def __init__(self, canvas):
        self.canvas = canvas
        self.changed_at = np.full((0, 0), -np.inf)  # per pixel: when an image last changed it
        # The PNG's rows, kept from image to image: a fresh 1.3 MB array every event cost
        # more in page faults than the copying itself.
        self.rows = np.zeros((0, 1), np.uint8)

    def __call__(self):
        canvas, now = self.canvas, time.monotonic()
        if not canvas._png_is_old:
            return None
        pixels = np.asarray(canvas.get_renderer().buffer_rgba())
        buff = pixels.view(np.uint32)[..., 0]  # a pixel as one number: one comparison each
        height, width = buff.shape
        if self.rows.shape != (height, 1 + 4 * width):
            self.rows = np.zeros((height, 1 + 4 * width), np.uint8)  # see png()
        image = self.rows[:, 1:].view(np.uint32)  # the pixels of the image to send
        if (canvas._force_full or buff.shape != canvas._last_buff.shape
                or (pixels[..., 3] != 255).any()):  # a transparent pixel cannot be laid over
            canvas.set_image_mode("full")
            self.changed_at = np.full(buff.shape, now)
            image[...] = buff
            canvas._last_buff = buff.copy()  # webagg's copy of the image sent last
        else:
            canvas.set_image_mode("diff")
            self.changed_at[buff != canvas._last_buff] = now
            image[...] = 0  # transparent: unchanged
            np.copyto(image, buff, where=self.changed_at >= now - self.WINDOW)
            canvas._last_buff[...] = buff
        canvas._force_full = canvas._png_is_old = False
        return png(self.rows)


def png(rows):
    """PNG bytes of an RGBA image given as its ``rows``, (height, 1 + 4 width) bytes: each
    row a filter type (0: none) and its pixels. Made for speed: no filter, zlib level 1.
    PIL's encoder tries five filters on every row and compresses harder: ~6 ms for an
    800 x 400 diff image that is nearly all transparent, ~1.5 ms here, for an image ~20 %
    larger (a few KB more on the websocket: not what a student waits for)."""
    height, width = rows.shape[0], (rows.shape[1] - 1) // 4

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind))))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))


def use_ipympl(backend):
    """Whether to draw on an ipympl canvas: backend is "ipympl", "inline" or "auto"."""
    if backend not in ("auto", "ipympl", "inline"):
        raise ValueError(f"backend must be 'auto', 'ipympl' or 'inline', got {backend!r}")
    if backend == "inline":
        return False
    try:
        previous = matplotlib.get_backend()
        import ipympl.backend_nbagg  # noqa: F401
    except ImportError:
        if backend == "ipympl":
            raise ImportError("backend='ipympl' needs ipympl: pip install ipympl") from None
        return False
    if matplotlib.get_backend() != previous:
        # importing ipympl switches pyplot to it; the notebook's own figures stay as they were
        matplotlib.use(previous)
    if "google.colab" in sys.modules:  # Colab shows ipympl only with its custom widget manager
        from google.colab import output
        output.enable_custom_widget_manager()
    return True
