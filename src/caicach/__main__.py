from caicach.cli import main

main()
