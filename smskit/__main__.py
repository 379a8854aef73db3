from smskit.cli import main

main()
