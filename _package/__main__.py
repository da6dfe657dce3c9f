from papergym.tui.cli.main import main

main()
