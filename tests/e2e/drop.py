#!/usr/bin/python3
"""Drags files onto the app window as a file manager does, under Xvfb: a
small GTK window offers them as text/uri-list; the pointer, moved by
XTest (xdotool), presses on it, travels onto the app window and lets go.
The drop reaches the app through X's XDND protocol, GTK and wry, as a
`WindowEvent::DragDrop` — the path a real drop takes.

Usage: drop.py WINDOW_NAME FILE...   (exits 0 once the drop is done)
"""
import subprocess
import sys
import threading
import time
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

name, files = sys.argv[1], sys.argv[2:]
uris = [Path(f).resolve().as_uri() for f in files]
outcome = {"done": False}


def xdotool(*args):
    return subprocess.run(["xdotool", *map(str, args)], check=True, capture_output=True, text=True).stdout


def target():
    """The centre of the app window, in screen coordinates."""
    window = xdotool("search", "--name", name).split()[0]
    geometry = dict(
        line.split("=") for line in xdotool("getwindowgeometry", "--shell", window).split()
    )
    return int(geometry["X"]) + int(geometry["WIDTH"]) // 2, int(geometry["Y"]) + int(geometry["HEIGHT"]) // 2


def drive(source):
    time.sleep(1.0)
    x, y = target()
    xdotool("mousemove", source[0], source[1])
    time.sleep(0.2)
    xdotool("mousedown", 1)
    # GTK starts a drag after the pointer has moved a few pixels.
    for step in range(1, 21):
        px = source[0] + (x - source[0]) * step // 20
        py = source[1] + (y - source[1]) * step // 20
        xdotool("mousemove", px, py)
        time.sleep(0.05)
    time.sleep(0.5)
    xdotool("mouseup", 1)


def on_get(_widget, _context, data, _info, _time):
    data.set_uris(uris)


def on_end(*_):
    outcome["done"] = True
    GLib.timeout_add(300, Gtk.main_quit)


window = Gtk.Window(title="drag source")
window.set_decorated(False)
screen = Gdk.Screen.get_default()
# Bottom-right corner, clear of the app window.
left, top = screen.get_width() - 100, screen.get_height() - 60
window.move(left, top)
window.set_default_size(90, 50)
source = Gtk.EventBox()
source.add(Gtk.Label(label=f"{len(uris)} files"))
source.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
source.drag_source_add_uri_targets()
source.connect("drag-data-get", on_get)
source.connect("drag-end", on_end)
window.add(source)
window.show_all()
threading.Thread(target=drive, args=((left + 45, top + 25),), daemon=True).start()
GLib.timeout_add_seconds(30, Gtk.main_quit)
Gtk.main()
sys.exit(0 if outcome["done"] else 1)
