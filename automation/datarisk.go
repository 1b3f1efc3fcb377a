package automation

// dataBearing maps the type tokens of resources whose replacement or deletion loses data
// (Pachyderm's objects, or the cluster running its metadata database) to what they hold.
var dataBearing = map[string]string{
	"aws:s3/bucketV2:BucketV2":                     "S3 bucket with Pachyderm's data",
	"aws:s3/bucket:Bucket":                         "S3 bucket with Pachyderm's data",
	"gcp:storage/bucket:Bucket":                    "GCS bucket with Pachyderm's data",
	"azure-native:storage:StorageAccount":          "storage account with Pachyderm's data",
	"azure-native:storage:BlobContainer":           "blob container with Pachyderm's data",
	"eks:index:Cluster":                            "EKS cluster running Pachyderm and its metadata database",
	"aws:eks/cluster:Cluster":                      "EKS cluster running Pachyderm and its metadata database",
	"gcp:container/cluster:Cluster":                "GKE cluster running Pachyderm and its metadata database",
	"azure-native:containerservice:ManagedCluster": "AKS cluster running Pachyderm and its metadata database",
}

// storageTypes are the data-bearing types that hold the data itself (the bucket): the
// ones destroy keeps unless asked to delete the data.
var storageTypes = map[string]bool{
	"aws:s3/bucketV2:BucketV2":            true,
	"aws:s3/bucket:Bucket":                true,
	"gcp:storage/bucket:Bucket":           true,
	"azure-native:storage:StorageAccount": true,
	"azure-native:storage:BlobContainer":  true,
}

// DataAtRisk describes what a resource of type token holds, or "" when losing it loses
// no data.
func DataAtRisk(token string) string { return dataBearing[token] }

// losesData reports whether op on a data-bearing resource destroys it.
func losesData(op string) bool {
	switch op {
	case "replace", "delete", "delete-replaced", "create-replacement":
		return true
	}
	return false
}
