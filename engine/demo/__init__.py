"""The demo county 示范县: its records (`records`) and its running procedures (`processes`)."""
