"""The preflight probe: a standard-library-only package run inside the *target* interpreter.

The runner never imports this package into the target under its lsc-tui name. It starts the
target interpreter as ``python -B -c LOADER <this directory>`` (see
:mod:`lsc_tui.preflight.process`): the loader removes the script directory from ``sys.path``,
loads this directory as a package named :data:`PACKAGE_NAME` (a name no provider uses), and
calls :func:`main.main`. Nothing is added to ``sys.path``, so no module of the probe can shadow
a provider's module (a provider's ``config`` or ``channel``), and no provider module can shadow
one of the probe's: the probe's own modules are reached only as submodules of
:data:`PACKAGE_NAME`, through relative imports.

It must stay compatible with Python 3.9+, because the target may be any Llama Stack
environment, and it imports nothing outside the standard library until it imports the
provider under test (tests/foundation and tests/preflight check both).

Modules, in the order a provider meets them:

* :mod:`.main`: reads the plan, opens the channel, forks one child per provider.
* :mod:`.channel`: the event protocol to the runner.
* :mod:`.sandbox`: the in-child limits (audit hook, dropped privileges, tempdir, parent watch).
* :mod:`.dists`: installed distributions read from their metadata directories.
* :mod:`.llama_stack`: which Llama Stack family the target has.
* :mod:`.checker`: runs the phases of one provider, in seed-001 order.
* one module per phase: :mod:`.architecture`, :mod:`.importing`, :mod:`.spec`,
  :mod:`.fields`, :mod:`.config` (the metadata phase runs in the runner).
* :mod:`.failure`: the error a phase raises, and traceback formatting.
* :mod:`.zygote`: one forked process per provider, and the relay of its events.

Protocol
--------
stdin: one JSON document, the plan ``{"providers": [...], "keep_going": bool, "isolate": bool}``.
stdout: one event per line, each line ``MARK + json``. Before touching any provider the
probe moves the real stdout to a private descriptor and points descriptor 1 at stderr,
so whatever provider code prints can never corrupt the event stream.

Events: ``hello``; ``warm`` (index, then null: built-in providers being imported in this
process); per provider ``begin``, ``phase``..., then ``result``, or ``garbage`` (the child
wrote something that is not its report) or ``child_exit`` (it ended without a result);
``done``; ``fatal``.
"""

PACKAGE_NAME = "_lsc_tui_preflight_probe_v1"
PROBE_VERSION = 1
