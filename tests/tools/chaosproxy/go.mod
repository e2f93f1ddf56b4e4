module shopctl.io/tests/chaosproxy

go 1.26
