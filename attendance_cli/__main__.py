from attendance_cli.cli.app import main

main()
