"""Tables by name, the way a user gets them, and the splits that table recipes train on.

``read("adult")`` reads the UCI Adult census table (32,561 rows, 14 attributes and the label
``Salary``) from a local copy, ``$KERAS_GANS_DATA/adult.csv.gz``: UCI's ``adult.data`` with
its header row. A path (``.csv``, ``.csv.gz``) is read as it is. Text values are stripped of
the spaces that follow UCI's commas.

A recipe's ``data`` section names a table with ``table`` (``keras_gans.recipes``):

* one table, of which ``test_size`` (stratified by ``label``, with the data seed) is held
  out: ``data: {table: adult, label: Salary, test_size: 0.2, batch_size: 500}``;
* several domains cut from one table by the values of ``split_column``, each keeping its
  own ``columns`` and the label (RadialGAN): ``split_domains`` says how.
"""

import os

import numpy as np

from keras_gans.data import public, tabular

# name: (file name in $KERAS_GANS_DATA, where to get it)
PUBLIC_TABLES = {
    "adult": ("adult.csv.gz",
              "UCI's adult.data (https://archive.ics.uci.edu/dataset/2/adult) with the header "
              "row 'age, workclass, fnlwgt, education, education-num, marital-status, "
              "occupation, relationship, race, sex, capital-gain, capital-loss, "
              "hours-per-week, native-country, Salary', gzipped"),
}

# The fields of a recipe's table data besides `table` and `batch_size`.
TABLE_OPTIONS = ("label", "test_size", "split_column", "target", "domains", "seed")
DOMAIN_OPTIONS = ("values", "columns", "train_rows", "max_rows")


def path_of(name_or_path):
    """The file a table name or path is read from; a ValueError naming what to do when a
    public table has no local copy."""
    name = os.fspath(name_or_path)
    if name in PUBLIC_TABLES:
        filename, origin = PUBLIC_TABLES[name]
        folder = os.environ.get(public.DATA_ENV)
        path = os.path.join(folder, filename) if folder else None
        if path is None or not os.path.isfile(path):
            where = (f"'{path}' does not exist" if path else
                     f"${public.DATA_ENV} is not set")
            raise ValueError(f"The table '{name}' is read from ${public.DATA_ENV}/{filename}, "
                             f"but {where}. Save {origin} there and set {public.DATA_ENV} to "
                             f"its folder, or name the CSV file itself (data.table: PATH).")
        return path
    if not os.path.isfile(name):
        raise ValueError(f"Unknown table '{name}': name a CSV file (.csv, .csv.gz) or one of "
                         f"{', '.join(sorted(PUBLIC_TABLES))}.")
    return name


def read(name_or_path):
    """``{column: numpy array}`` of a table name or CSV path, text values stripped."""
    columns, _ = tabular.read_table(path_of(name_or_path))
    return {name.strip(): (np.array([str(v).strip() for v in values], dtype=object)
                           if values.dtype.kind == "O" else values)
            for name, values in columns.items()}


def subset(columns, rows, names=None):
    """The rows ``rows`` of the columns ``names`` (default all)."""
    return {c: v[rows] for c, v in columns.items() if names is None or c in names}


def split(columns, label, test_size, seed):
    """``(train, test)``: ``test_size`` of the rows held out, stratified by ``label``."""
    from sklearn.model_selection import train_test_split

    if label not in columns:
        raise ValueError(f"The label column '{label}' is not in the table; its columns are "
                         f"{', '.join(columns)}.")
    rows = np.arange(len(columns[label]))
    train, test = train_test_split(rows, test_size=test_size, random_state=seed,
                                   stratify=columns[label])
    return subset(columns, train), subset(columns, test)


def split_domains(columns, spec, seed):
    """``({domain: table}, target's test table)`` from one table, as ``spec`` (a recipe's
    table data) says: each domain of ``spec["domains"]`` takes the rows whose
    ``split_column`` is one of its ``values``, shuffled with ``seed``, and its own
    ``columns`` plus the ``label``; the ``target`` domain keeps ``train_rows`` rows for
    training and the rest as its test set, the others at most ``max_rows`` rows."""
    rng = np.random.default_rng(seed)
    label, target = spec["label"], spec["target"]
    for name in (spec["split_column"], label):
        if name not in columns:
            raise ValueError(f"The column '{name}' is not in the table; its columns are "
                             f"{', '.join(columns)}.")
    tables, test = {}, None
    for name, domain in spec["domains"].items():
        rows = rng.permutation(np.flatnonzero(np.isin(columns[spec["split_column"]],
                                                      domain["values"])))
        names = list(domain["columns"]) + [label]
        if name == target:
            n = domain["train_rows"]
            tables[name] = subset(columns, rows[:n], names)
            test = subset(columns, rows[n:], names)
        else:
            tables[name] = subset(columns, rows[:domain.get("max_rows", len(rows))], names)
    return tables, test


def check_recipe_data(data):
    """A ValueError naming the problem in a recipe's table data (``data.table``)."""
    unknown = sorted(set(data) - set(TABLE_OPTIONS) - {"table", "batch_size"})
    if unknown:
        raise ValueError(f"Unknown field(s) {', '.join(f'data.{k}' for k in unknown)} for "
                         f"table data; known: table, batch_size, {', '.join(TABLE_OPTIONS)}.")
    if not isinstance(data["table"], str):
        raise ValueError(f"`data.table` names a table ({', '.join(PUBLIC_TABLES)}) or a CSV "
                         f"file; received {data['table']!r}.")
    if "domains" not in data:
        if data.get("test_size") and not data.get("label"):
            raise ValueError("`data.test_size` holds out rows stratified by the label: add "
                             "`data.label: COLUMN`.")
        return
    missing = [k for k in ("label", "split_column", "target") if not data.get(k)]
    if missing:
        raise ValueError(f"Table data with `domains` also needs "
                         f"{', '.join(f'data.{k}' for k in missing)}: the label column, the "
                         f"column whose values pick each domain's rows, and the target domain.")
    domains = data["domains"]
    if not isinstance(domains, dict) or len(domains) < 2:
        raise ValueError(f"`data.domains` maps at least two domain names to {{values: [...], "
                         f"columns: [...]}}; received {domains!r}.")
    if data["target"] not in domains:
        raise ValueError(f"`data.target` is {data['target']!r}, not one of the domains "
                         f"{', '.join(domains)}.")
    for name, domain in domains.items():
        fields = set(domain) if isinstance(domain, dict) else set()
        if not {"values", "columns"} <= fields or fields - set(DOMAIN_OPTIONS):
            raise ValueError(f"`data.domains.{name}` takes values and columns (and "
                             f"train_rows, max_rows); received {domain!r}.")
    if "train_rows" not in domains[data["target"]]:
        raise ValueError(f"The target domain needs `data.domains.{data['target']}.train_rows`, "
                         f"the rows it trains on (the rest are its test set).")


def recipe_tables(data, seed):
    """``(training data, held-out data)`` of a recipe's table data: a table and its test
    split, or ``{domain: table}`` and the target's test table."""
    columns = read(data["table"])
    if "domains" in data:
        return split_domains(columns, data, seed)
    if data.get("test_size"):
        return split(columns, data["label"], data["test_size"], seed)
    return columns, None
