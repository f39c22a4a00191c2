"""Maps the top-level folders catalog/, compiler/, runtime/ into the nrtg import namespace."""

from setuptools import find_packages, setup

FOLDERS = {
    "nrtg": "nrtg",
    "nrtg.catalog": "catalog",
    "nrtg.compiler": "compiler",
    "nrtg.runtime": "runtime",
}


def _packages() -> tuple[list[str], dict[str, str]]:
    packages: list[str] = []
    package_dir: dict[str, str] = {}
    for name, folder in FOLDERS.items():
        packages.append(name)
        package_dir[name] = folder
        for sub in find_packages(where=folder):
            packages.append(f"{name}.{sub}")
            package_dir[f"{name}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"
    return packages, package_dir


packages, package_dir = _packages()
setup(
    packages=packages,
    package_dir=package_dir,
    package_data={
        "": ["*.lark", "*.thrift", "*.sql", "*.yaml"],
        "nrtg.catalog": ["grammars/*.lark"],
    },
)
