module kshim.test/goprobe

go 1.21
