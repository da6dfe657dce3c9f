from papergym.tui.cli import main

main()
