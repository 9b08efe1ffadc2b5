"""Root conftest: its presence puts the checkout on sys.path, so a plain
``pytest`` imports ``sopdata`` without installing the project."""
