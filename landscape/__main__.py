"""``python -m landscape``: the book's command line (:mod:`landscape.book.cli`)."""
from landscape.book.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
