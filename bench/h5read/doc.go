// Package h5readbench compares h5read with libhdf5 on an ATL06-sized file.
//
// run.sh writes the file with mkbench.py (h5py, not committed: ~40 MB),
// times libhdf5 reading the five ATL06 variables of every beam with
// bench_h5py.py, and runs BenchmarkDecode on the same work. Both report wall
// and CPU time; on a shared machine compare the CPU times.
package h5readbench
