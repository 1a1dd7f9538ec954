"""The zoo: the preset index, ``load()``, ``list_models()``, weight integrity and caching.

A preset is a folder holding ``config.json`` (the serialized model), ``model.weights.h5``,
``metadata.json``, ``README.md`` (the model card) and ``samples.png``. ``zoo/index.yaml``
lists every preset with the sha256 and size of each of its files, its aliases, its data
set and an optional ``url`` (a folder URL serving the same files). ``write_index``
regenerates the index from the folders, so nobody edits a hash by hand.

``load`` looks for a preset's files in the installed zoo, then in the cache folder
(``$KERAS_GANS_HOME``, default ``~/.keras/keras_gans/``), then downloads them from the
entry's ``url`` into the cache; every file is checked against its sha256 before use.
"""

import difflib
import hashlib
import json
import os
import re

import yaml

# The layout of config.json and metadata.json. A preset written with a larger number
# needs a newer keras-gans; bump it when an old reader would misread a new preset.
FORMAT_VERSION = 1

INDEX_NAME = "index.yaml"
CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.weights.h5"
METADATA_NAME = "metadata.json"
CARD_NAME = "README.md"
SAMPLES_NAME = "samples.png"
# The files `load` reads; the card and the samples are for people.
LOAD_FILES = (CONFIG_NAME, WEIGHTS_NAME, METADATA_NAME)
# What sampling computes from the weights (``model.sampling_state()``, e.g. BigGAN's standing
# statistics), shipped so that loading skips the work: read, checked and fetched like the
# load files where a preset has it.
SAMPLING_STATE_NAME = "sampling_state.npz"
OPTIONAL_LOAD_FILES = (SAMPLING_STATE_NAME,)
PRESET_FILES = LOAD_FILES + (CARD_NAME, SAMPLES_NAME)
# A preset folder's own hash manifest (`sha256sum` format) of the files `load` reads.
MANIFEST_NAME = "SHA256SUMS"
# Preset names become folder names in the cache: letters, digits and single separators.
SAFE_NAME = re.compile(r"^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$")
# Size budgets of what ships in the package, in decimal megabytes (the stricter reading).
PRESET_BUDGET_BYTES = 25 * 10 ** 6
ZOO_BUDGET_BYTES = 150 * 10 ** 6


class PresetError(ValueError):
    """A preset cannot be found, verified or read."""


def zoo_dir():
    """The folder of the zoo: ``keras_gans/zoo`` in an installed package (``zoo/`` is
    installed as the sub-package ``keras_gans.zoo``), else ``zoo/`` beside the package in a
    source checkout. Other modules find their zoo files (e.g. ``evaluators/``) here."""
    package = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(package, "zoo"), os.path.join(os.path.dirname(package), "zoo")):
        if any(os.path.isfile(os.path.join(candidate, f)) for f in (INDEX_NAME, "__init__.py")):
            return candidate
    raise PresetError(
        f"The zoo folder is missing: neither {os.path.join(package, 'zoo')} (installed) nor "
        f"{os.path.join(os.path.dirname(package), 'zoo')} (source checkout) holds "
        f"{INDEX_NAME}. Reinstall keras-gans (pip install keras-gans).")


def cache_dir():
    """Where downloaded presets are kept: ``$KERAS_GANS_HOME`` or ``~/.keras/keras_gans``."""
    return os.path.expanduser(os.environ.get("KERAS_GANS_HOME",
                                             os.path.join("~", ".keras", "keras_gans")))


# -- the index ------------------------------------------------------------------------

def read_index(path=None):
    """The index as a dict ``{name: entry}``; ``path`` defaults to the zoo's index.yaml."""
    path = path or os.path.join(zoo_dir(), INDEX_NAME)
    with open(path) as f:
        index = yaml.safe_load(f) or {}
    version = index.get("format_version", 1)
    if version > FORMAT_VERSION:
        raise PresetError(f"The preset index {path} has format_version {version}; this "
                          f"keras-gans reads up to {FORMAT_VERSION}. Upgrade keras-gans "
                          f"(pip install -U keras-gans).")
    entries = index.get("presets") or {}
    unsafe = [name for name in entries if not SAFE_NAME.match(str(name))]
    if unsafe:
        raise PresetError(f"The preset index {path} has unsafe preset names {unsafe}: a name "
                          f"is letters and digits joined by single '-', '_' or '.', since it "
                          f"becomes a folder name. Fix or replace the index.")
    return entries


def list_models(index=None):
    """The names of the presets in the zoo, sorted (see ``keras-gans list`` for a table)."""
    return sorted(read_index(index))


def _key(name):
    return name.strip().lower().replace("_", "-")


def resolve(name, index=None):
    """The preset name for a preset name or alias; unknown names get suggestions."""
    entries = read_index(index)
    names = {_key(n): n for n in entries}
    for preset, entry in entries.items():
        for alias in entry.get("aliases") or []:
            names.setdefault(_key(alias), preset)
    key = _key(name)
    if key in names:
        return names[key]
    raise PresetError(f"Unknown preset '{name}'.{_suggestion(key, entries, names)} Known "
                      f"presets: {', '.join(sorted(entries))} (keras-gans list shows them "
                      f"all); or pass the path of a preset folder or of a .keras file.")


def _suggestion(key, entries, names):
    """What an unknown preset name probably meant: a variant without a preset of its own
    (then its class, and the presets of variants that extend its name, e.g. wgan ->
    wgan-gp-*), else the presets whose names, aliases or variants are close to it."""
    from keras_gans.models import VARIANTS

    by_variant = {}
    for preset, entry in entries.items():
        by_variant.setdefault(_key(entry.get("variant", "")), []).append(preset)
    if key in VARIANTS or key.replace("-", "") in {v.replace("-", "") for v in VARIANTS}:
        variant = next(v for v in VARIANTS if v.replace("-", "") == key.replace("-", ""))
        cls = f"kg.models.{VARIANTS[variant].__name__}"
        if by_variant.get(variant):
            return (f" '{variant}' is the variant {cls}; its preset: "
                    f"{' or '.join(repr(p) for p in sorted(by_variant[variant]))}.")
        related = sorted(p for v, ps in by_variant.items() if v.startswith(variant) for p in ps)
        hint = f" Presets of related variants: {', '.join(related)}." if related else ""
        return (f" '{variant}' is a variant that has no trained preset: build {cls}(...) and "
                f"train it (README.md, 'Variants').{hint}")
    candidates = dict(names)
    for variant, presets in by_variant.items():
        if len(presets) == 1:
            candidates.setdefault(variant, presets[0])
    close = difflib.get_close_matches(key, list(candidates), n=3, cutoff=0.6)
    close = list(dict.fromkeys(candidates[c] for c in close))
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


# -- integrity ------------------------------------------------------------------------

def sha256(path, chunk=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def file_record(path):
    return {"sha256": sha256(path), "size": os.path.getsize(path)}


def _folder_sizes(folder):
    return {os.path.relpath(os.path.join(d, f), folder): os.path.getsize(os.path.join(d, f))
            for d, _, files in os.walk(folder) for f in files}


def budget_problems(zoo=None):
    """One sentence for each preset of ``zoo`` over ``PRESET_BUDGET_BYTES`` and for the
    zoo folder (evaluators, recipes and index included) over ``ZOO_BUDGET_BYTES``, naming
    the largest files and what shrinks them; empty when all fit."""
    zoo = zoo or zoo_dir()
    problems = []
    for name in sorted(os.listdir(zoo)):
        folder = os.path.join(zoo, name)
        if not os.path.isfile(os.path.join(folder, METADATA_NAME)):
            continue
        sizes = _folder_sizes(folder)
        if sum(sizes.values()) >= PRESET_BUDGET_BYTES:
            largest = sorted(sizes.items(), key=lambda item: -item[1])[:3]
            problems.append(
                f"Preset '{name}' is {sum(sizes.values()):,} bytes, over the "
                f"{PRESET_BUDGET_BYTES:,}-byte budget of a preset; largest files: "
                + ", ".join(f"{f} ({n:,})" for f, n in largest) + ". Fold the weight "
                "averages into the generator (`zoo build --fold-averages` or `zoo "
                "fold-averages`), ship fewer or smaller pictures, or train a smaller network.")
    total = sum(_folder_sizes(zoo).values())
    if total >= ZOO_BUDGET_BYTES:
        problems.append(f"The zoo folder '{zoo}' holds {total:,} bytes, over its "
                        f"{ZOO_BUDGET_BYTES:,}-byte budget: shrink or remove presets.")
    return problems


def verify(path, record, fix, source="the index"):
    """Raise a ``PresetError`` naming the file and ``fix`` unless ``path`` has the size and
    sha256 of ``record`` (taken from ``source``)."""
    size = os.path.getsize(path)
    if record.get("size") is not None and size != record["size"]:
        raise PresetError(f"'{path}' has {size} bytes; {source} says {record['size']} (a "
                          f"truncated or replaced file). {fix}")
    actual = sha256(path)
    if actual != record["sha256"]:
        raise PresetError(f"'{path}' fails its integrity check: sha256 {actual}, expected "
                          f"{record['sha256']} by {source} (a corrupt or replaced file). {fix}")


def load_files_of(listed):
    """The files ``load`` reads of a preset whose files are ``listed`` (names): the load
    files and the optional ones among ``listed``."""
    return LOAD_FILES + tuple(f for f in OPTIONAL_LOAD_FILES if f in listed)


def write_manifest(folder, files=None):
    """Write ``folder/SHA256SUMS`` for ``files`` (default: the files ``load`` reads that the
    folder has); ``sha256sum -c SHA256SUMS`` checks it."""
    files = files or load_files_of(os.listdir(folder))
    with open(os.path.join(folder, MANIFEST_NAME), "w") as f:
        for filename in files:
            f.write(f"{sha256(os.path.join(folder, filename))}  {filename}\n")


def read_manifest(folder):
    """``{file: {"sha256": ...}}`` from ``folder/SHA256SUMS``."""
    path = os.path.join(folder, MANIFEST_NAME)
    records = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            match = re.match(r"^([0-9a-f]{64}) [ *]([^/\\]+)$", line.rstrip("\n"))
            if not match or match.group(2) in ("..", "."):
                raise PresetError(f"Line {number} of '{path}' is not '<sha256>  <file name>' "
                                  f"(the format of sha256sum); rebuild the manifest or fetch "
                                  f"the preset again.")
            records[match.group(2)] = {"sha256": match.group(1)}
    return records


def verify_folder(folder):
    """Check a preset folder loaded by path against its own ``SHA256SUMS``, else against
    the index entry of the zoo it sits in (its parent holds an index.yaml listing it).
    A folder with neither is a user's own and is not checked."""
    folder = os.path.abspath(folder)
    if os.path.isfile(os.path.join(folder, MANIFEST_NAME)):
        records, source = read_manifest(folder), f"its {MANIFEST_NAME}"
    else:
        index = os.path.join(os.path.dirname(folder), INDEX_NAME)
        try:
            entry = (read_index(index).get(os.path.basename(folder)) or {}
                     if os.path.isfile(index) else {})
        except (yaml.YAMLError, AttributeError, TypeError):  # another program's index.yaml
            entry = {}
        records, source = entry.get("files") or {}, f"the index {index}"
        records = {f: r for f, r in records.items() if f in load_files_of(records)}
    fix = (f"The folder was changed after it was written; rebuild it, fetch it again, or "
           f"if you changed it on purpose, delete {MANIFEST_NAME} (or move it out of the zoo).")
    for filename, record in records.items():
        path = os.path.join(folder, filename)
        if not os.path.isfile(path):
            raise PresetError(f"'{path}' is listed in {source} but missing. {fix}")
        verify(path, record, fix, source)


# -- finding a preset's files ---------------------------------------------------------

def _complete(folder, files):
    return all(os.path.isfile(os.path.join(folder, f)) for f in files)


def _download(name, entry, destination, filename):
    """Fetch one file of a preset into the cache folder ``destination``: written under a
    temporary name, renamed into place only when its sha256 matches, deleted otherwise."""
    import urllib.request

    url = f"{entry['url'].rstrip('/')}/{filename}"
    record = entry["files"][filename]
    final = os.path.join(destination, filename)
    partial = f"{final}.part-{os.getpid()}"
    try:
        os.makedirs(destination, exist_ok=True)
    except OSError as e:
        raise PresetError(f"Cannot create the cache folder '{destination}' ({e.strerror}). Set "
                          f"KERAS_GANS_HOME to a writable folder.") from e
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as f:
            for block in iter(lambda: response.read(1 << 20), b""):
                f.write(block)
        verify(partial, record, "", f"the index entry of '{name}'")
    except PresetError as e:
        _remove(partial)
        raise PresetError(f"The download of '{filename}' of preset '{name}' from {url} failed "
                          f"its integrity check and was deleted ({e}). Try again later; if it "
                          f"persists the server holds other files than this index describes: "
                          f"upgrade keras-gans.") from None
    except Exception as e:  # network errors, HTTP errors, a full disk
        _remove(partial)
        raise PresetError(f"Could not download '{filename}' of preset '{name}' from {url}: "
                          f"{e}. Check the connection, or copy the preset folder to "
                          f"{destination}.") from None
    os.replace(partial, final)


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def preset_files(name, index=None, cache=None):
    """The folder holding the verified files of preset ``name`` (downloaded if needed)."""
    entries = read_index(index)
    entry = entries[name]
    missing = [f for f in LOAD_FILES if f not in (entry.get("files") or {})]
    if missing:
        raise PresetError(f"The index entry of '{name}' lists no hash for {missing}; "
                          f"regenerate the index (keras-gans zoo index).")
    zoo = os.path.dirname(os.path.abspath(index)) if index else zoo_dir()
    installed = os.path.join(zoo, name)
    cached = os.path.join(cache or cache_dir(), name)
    files = load_files_of(entry["files"])
    if _complete(installed, files):
        fix = ("Reinstall keras-gans, or if you retrained the preset, regenerate the index "
               "(keras-gans zoo index).")
        for filename in files:
            verify(os.path.join(installed, filename), entry["files"][filename], fix)
        return installed
    if not entry.get("url") and not _complete(cached, files):
        raise PresetError(f"The files of preset '{name}' are neither in the zoo ({installed}) "
                          f"nor in the cache ({cached}), and its index entry has no url to "
                          f"download them from. Reinstall keras-gans or copy the preset "
                          f"folder to {cached}.")
    fix = f"Delete '{cached}' and load the preset again to re-download it."
    for filename in files:
        path = os.path.join(cached, filename)
        if os.path.isfile(path):
            try:
                verify(path, entry["files"][filename], fix)
                continue
            except PresetError:
                if not entry.get("url"):
                    raise
                _remove(path)  # a damaged copy: fetch it again
        if not entry.get("url"):
            raise PresetError(f"'{path}' is missing and the index entry of '{name}' has no url "
                              f"to download it from. Copy the preset folder to {cached}.")
        _download(name, entry, cached, filename)
    return cached


# -- loading --------------------------------------------------------------------------

def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise PresetError(f"'{path}' is not valid JSON ({e}); the preset folder is damaged. "
                          f"Rebuild it or fetch it again.") from e


def check_format(metadata, where):
    version = metadata.get("format_version")
    if not isinstance(version, int):
        raise PresetError(f"'{where}' has no integer format_version; it is not a keras-gans "
                          f"preset's metadata.json.")
    if version > FORMAT_VERSION:
        from keras_gans.version import __version__

        writer = metadata.get("keras_gans_version", "?")
        raise PresetError(f"The preset in '{os.path.dirname(where)}' was written in preset "
                          f"format {version} by keras-gans {writer}; keras-gans {__version__} reads formats up to {FORMAT_VERSION}. "
                          f"Upgrade keras-gans (pip install -U keras-gans).")


def load_folder(folder):
    """Build the model of a preset folder and load its weights."""
    import keras

    import keras_gans.models  # noqa: F401  (registers the model classes for deserialization)

    missing = [f for f in LOAD_FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        raise PresetError(f"'{folder}' is not a complete preset folder: {', '.join(missing)} "
                          f"missing (a preset has {', '.join(PRESET_FILES)}).")
    metadata_path = os.path.join(folder, METADATA_NAME)
    check_format(read_json(metadata_path), metadata_path)
    config = read_json(os.path.join(folder, CONFIG_NAME))
    try:
        model = keras.saving.deserialize_keras_object(config)
    except Exception as e:
        raise PresetError(f"Cannot build the model of '{folder}' from {CONFIG_NAME}: {e}. The "
                          f"preset may need a newer keras-gans (pip install -U keras-gans).") from e
    weights = os.path.join(folder, WEIGHTS_NAME)
    try:
        model.load_weights(weights)
    except Exception as e:
        raise PresetError(f"Cannot read the weights '{weights}' ({type(e).__name__}: {e}). The "
                          f"file is truncated, corrupt or from another architecture; fetch "
                          f"or rebuild the preset.") from e
    state = os.path.join(folder, SAMPLING_STATE_NAME)
    if os.path.isfile(state):
        import numpy as np

        with np.load(state, allow_pickle=False) as arrays:
            model.restore_sampling_state({name: arrays[name] for name in arrays.files})
    return model


def read_metadata(name_or_path, index=None, cache=None):
    """The metadata.json of a preset (name, alias or folder) as a dict; ``None`` for a
    ``.keras`` file, which has none. A preset's ``task`` (absent: ``"generate"``) says what
    it does; image-to-image presets also record ``input_shape``, ``output_shape`` and
    ``inputs``, the source their picture's inputs come from (``keras_gans.tasks``)."""
    path = os.fspath(name_or_path)
    if isinstance(name_or_path, os.PathLike) or looks_like_path(path):
        if path.endswith(".keras") and os.path.isfile(path):
            return None
        return read_json(os.path.join(path, METADATA_NAME))
    return read_json(os.path.join(preset_files(resolve(path, index), index, cache),
                                  METADATA_NAME))


def looks_like_path(text):
    """Whether ``load`` takes ``text`` (a ``str``; a ``pathlib.Path`` is always a path) as
    a path rather than a preset name: it holds a
    separator, starts with ``.`` or ``~``, is absolute or ends with ``.keras``. A bare
    name is always looked up in the index, so that a folder of that name in the working
    directory can never stand in for a verified preset."""
    return (os.sep in text or "/" in text or (os.altsep or "/") in text
            or text.startswith((".", "~")) or os.path.isabs(text) or text.endswith(".keras"))


def load(name_or_path, index=None, cache=None):
    """A trained model from the zoo, ready to ``generate``.

    Args:
        name_or_path: a preset name (``"dcgan-mnist"``), an alias (``"dcgan"``), the path of
            a preset folder, or the path of a ``.keras`` file. A path looks like one
            (``./name``, ``/abs/name``, ``sub/name``, ``name.keras``); a bare name is a
            preset. A folder loaded by path is checked against its ``SHA256SUMS`` or its
            zoo's index entry when it has one.
        index: the path of another index.yaml (its folder is searched for presets).
        cache: the cache folder (default ``$KERAS_GANS_HOME`` or ``~/.keras/keras_gans``).

    The model comes uncompiled: ``generate`` works at once (image-to-image presets:
    their task method, e.g. ``refine(images)``); call ``compile()`` (the variant's paper
    defaults, or your own optimizers) and ``fit`` to fine-tune it.
    """
    path = os.fspath(name_or_path)
    if isinstance(name_or_path, os.PathLike) or looks_like_path(path):
        path = os.path.expanduser(path)
        if os.path.isdir(path):
            metadata_path = os.path.join(path, METADATA_NAME)
            if os.path.isfile(metadata_path):  # a newer format first: its files may differ
                check_format(read_json(metadata_path), metadata_path)
            verify_folder(path)
            return load_folder(path)
        if path.endswith(".keras") and os.path.isfile(path):
            return load_keras_file(path)
        raise PresetError(f"There is no saved model at '{path}' (no preset folder or .keras "
                          f"file). Check the path, or pass a preset name "
                          f"(keras_gans.list_models()).")
    try:
        name = resolve(path, index)
    except PresetError as e:
        if os.path.isdir(path):
            raise PresetError(f"{e} (A folder '{path}' is in the working directory; a bare "
                              f"name is only looked up among presets: pass './{path}' to "
                              f"load the folder.)") from None
        raise
    return load_folder(preset_files(name, index, cache))


def load_keras_file(path):
    """``keras.models.load_model`` (safe mode) with errors that name the file."""
    import zipfile

    import keras

    import keras_gans.models  # noqa: F401  (registers the model classes)

    if not zipfile.is_zipfile(path):  # Keras would say "File not found" for it
        raise PresetError(f"'{path}' is not a readable .keras file: a .keras file is a zip "
                          f"archive and this one is truncated, corrupt or of another kind. Save "
                          f"the model again (model.save('{os.path.basename(path)}')) or copy it "
                          f"again.")
    try:
        return keras.models.load_model(path)
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise PresetError(f"'{path}' is a damaged .keras file ({type(e).__name__}: "
                          f"{str(e).splitlines()[0] if str(e) else ''}). Save the model again "
                          f"or copy it again.") from None


# -- writing presets -------------------------------------------------------------------

def _compress_weights(path):
    """Rewrite an .h5 weights file with gzip-compressed datasets (h5py reads them back
    transparently); trained float32 weights shrink by about a tenth. A file of many small
    arrays can grow instead (each compressed array carries chunk records): it is then left
    as it was. Returns whether the file was rewritten."""
    import h5py

    packed = path + ".packed"
    with h5py.File(path, "r") as source, h5py.File(packed, "w") as target:
        target.attrs.update(source.attrs)

        def copy(name, item):
            if isinstance(item, h5py.Group):
                target.require_group(name).attrs.update(item.attrs)
                return
            options = ({"compression": "gzip", "compression_opts": 9, "shuffle": True}
                       if item.size > 64 else {})
            target.create_dataset(name, data=item[()], **options).attrs.update(item.attrs)

        source.visititems(copy)
    if os.path.getsize(packed) >= os.path.getsize(path):
        os.remove(packed)
        return False
    os.replace(packed, path)
    return True


def save_preset(model, folder, metadata=None, compress=True):
    """Write ``model`` as a preset folder: config.json, model.weights.h5, metadata.json
    (``metadata`` plus ``format_version`` and the versions used) and SHA256SUMS, their
    hashes, which ``load`` checks when the folder is loaded by path. ``compress`` stores the
    weights gzip-compressed: the same values, about a tenth smaller, read back by h5py
    without any step of the user's; the default, for the zoo's size budget. The card and
    the samples are written by ``keras-gans zoo build`` (``keras_gans.preset_builder``).
    Returns ``folder``."""
    import keras

    from keras_gans.version import __version__

    os.makedirs(folder, exist_ok=True)
    config = keras.saving.serialize_keras_object(model)
    config.pop("compile_config", None)  # a loaded preset is compiled by its user
    with open(os.path.join(folder, CONFIG_NAME), "w") as f:
        json.dump(config, f, indent=1)
    # Weights only: a fresh copy built from the config leaves optimizer state out of the file.
    clean = keras.saving.deserialize_keras_object(config)
    clean.set_weights(model.get_weights())
    clean.save_weights(os.path.join(folder, WEIGHTS_NAME))
    if compress:
        _compress_weights(os.path.join(folder, WEIGHTS_NAME))
    # The model's own: it holds the same weights, and has usually computed it already.
    state, state_path = model.sampling_state(), os.path.join(folder, SAMPLING_STATE_NAME)
    if state:
        import numpy as np

        np.savez_compressed(state_path, **state)
    elif os.path.exists(state_path):
        os.remove(state_path)
    # What the preset takes and returns, for the tests, `keras-gans sample` and people.
    metadata = {"format_version": FORMAT_VERSION, "keras_gans_version": __version__,
                **model.describe_task(), **(metadata or {})}
    with open(os.path.join(folder, METADATA_NAME), "w") as f:
        json.dump(metadata, f, indent=1)
    write_manifest(folder)
    return folder


# -- writing the index ----------------------------------------------------------------

# metadata.json fields copied into the index entry.
INDEX_FIELDS = ("description", "variant", "dataset", "data_shape", "latent_dim", "task",
                "input_shape", "output_shape", "aliases", "parameters", "metrics")


def write_index(zoo=None):
    """Regenerate ``index.yaml`` from the preset folders of ``zoo`` (default: the zoo):
    hashes and sizes of every file (the standard ones and any extra picture a card shows),
    and the summary fields of each metadata.json; a folder's SHA256SUMS, where it has one,
    is rewritten to match. A ``url`` already in the index is kept. Returns the index path."""
    zoo = zoo or zoo_dir()
    path = os.path.join(zoo, INDEX_NAME)
    old = {}
    if os.path.exists(path):
        with open(path) as f:
            old = (yaml.safe_load(f) or {}).get("presets") or {}
    presets = {}
    for name in sorted(os.listdir(zoo)):
        folder = os.path.join(zoo, name)
        if not os.path.isfile(os.path.join(folder, METADATA_NAME)):
            continue
        metadata = read_json(os.path.join(folder, METADATA_NAME))
        if os.path.isfile(os.path.join(folder, MANIFEST_NAME)):
            # The folder's own manifest follows its files too (e.g. metadata.json after
            # `zoo measure`): a folder loaded by path is checked against it.
            write_manifest(folder)
        entry = {k: metadata[k] for k in INDEX_FIELDS if k in metadata}
        entry["url"] = (old.get(name) or {}).get("url")
        # The standard files, then any other a card shows (e.g. a comparison picture).
        extras = sorted(set(os.listdir(folder)) - set(PRESET_FILES))
        entry["files"] = {f: file_record(os.path.join(folder, f))
                          for f in (*PRESET_FILES, *extras)
                          if os.path.isfile(os.path.join(folder, f))}
        presets[name] = entry
    text = ("# Generated by `keras-gans zoo index` from the preset folders: do not "
            "edit hashes by hand.\n# `url` (optional) is a folder URL serving the same files; "
            "it is kept when the index is regenerated.\n")
    with open(path, "w") as f:
        f.write(text)
        yaml.safe_dump({"format_version": FORMAT_VERSION, "presets": presets}, f,
                       sort_keys=False, default_flow_style=None, width=100)
    return path
