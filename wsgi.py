from cemprende import create_app

app = create_app()
