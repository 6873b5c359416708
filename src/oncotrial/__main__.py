from oncotrial.cli.main import run

run()
