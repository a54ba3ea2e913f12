from ebm_analysis.cli import main

raise SystemExit(main())
