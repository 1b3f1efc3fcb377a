package native

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestVersionIsGoModsAzureNative: the wrappers pin the same provider release as the
// azure-native SDK modules the module requires, so one plugin serves both.
func TestVersionIsGoModsAzureNative(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/pulumi/pulumi-azure-native-sdk/v2 v(\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod does not require github.com/pulumi/pulumi-azure-native-sdk/v2")
	}
	if string(m[1]) != Version {
		t.Errorf("wrappers pin azure-native %s, go.mod requires %s: update Version", Version, m[1])
	}
}

// versions records the provider release each registration asks for.
type versions map[string]string

func (v versions) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	v[args.TypeToken] = args.RegisterRPC.GetVersion()
	return args.Name + "-id", args.Inputs, nil
}

func (v versions) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// TestWrappersPinVersion: every wrapper registers at Version, as the SDK's resources pin
// their own release, so a wrapper never runs on whatever plugin happens to be installed.
func TestWrappersPinVersion(t *testing.T) {
	rg, s := pulumi.String("rg"), pulumi.String("s")
	registrations := map[string]func(ctx *pulumi.Context) error{
		"azure-native:resources:ResourceGroup": func(ctx *pulumi.Context) error {
			_, err := NewResourceGroup(ctx, "r", &ResourceGroupArgs{})
			return err
		},
		"azure-native:storage:StorageAccount": func(ctx *pulumi.Context) error {
			_, err := NewStorageAccount(ctx, "r", &StorageAccountArgs{Kind: s, ResourceGroupName: rg, Sku: &SkuArgs{Name: s}})
			return err
		},
		"azure-native:storage:BlobContainer": func(ctx *pulumi.Context) error {
			_, err := NewBlobContainer(ctx, "r", &BlobContainerArgs{AccountName: s, ResourceGroupName: rg})
			return err
		},
		"azure-native:operationalinsights:Workspace": func(ctx *pulumi.Context) error {
			_, err := NewWorkspace(ctx, "r", &WorkspaceArgs{ResourceGroupName: rg})
			return err
		},
		"azure-native:insights:DataCollectionRule": func(ctx *pulumi.Context) error {
			_, err := NewDataCollectionRule(ctx, "r", &DataCollectionRuleArgs{ResourceGroupName: rg})
			return err
		},
		"azure-native:insights:DataCollectionRuleAssociation": func(ctx *pulumi.Context) error {
			_, err := NewDataCollectionRuleAssociation(ctx, "r", &DataCollectionRuleAssociationArgs{ResourceUri: s})
			return err
		},
		"azure-native:authorization:RoleAssignment": func(ctx *pulumi.Context) error {
			_, err := NewRoleAssignment(ctx, "r", &RoleAssignmentArgs{Scope: s, PrincipalID: s, RoleDefinitionID: s})
			return err
		},
		"azure-native:managedidentity:UserAssignedIdentity": func(ctx *pulumi.Context) error {
			_, err := NewUserAssignedIdentity(ctx, "r", &UserAssignedIdentityArgs{ResourceGroupName: rg})
			return err
		},
		"azure-native:network:VirtualNetwork": func(ctx *pulumi.Context) error {
			_, err := NewVirtualNetwork(ctx, "r", &VirtualNetworkArgs{ResourceGroupName: rg, AddressPrefixes: pulumi.StringArray{s}})
			return err
		},
		"azure-native:network:Subnet": func(ctx *pulumi.Context) error {
			_, err := NewSubnet(ctx, "r", &SubnetArgs{ResourceGroupName: rg, VirtualNetworkName: s})
			return err
		},
		"azure-native:network:PrivateZone": func(ctx *pulumi.Context) error {
			_, err := NewPrivateZone(ctx, "r", &PrivateZoneArgs{ResourceGroupName: rg})
			return err
		},
		"azure-native:network:VirtualNetworkLink": func(ctx *pulumi.Context) error {
			_, err := NewVirtualNetworkLink(ctx, "r", &VirtualNetworkLinkArgs{ResourceGroupName: rg, PrivateZoneName: s})
			return err
		},
		ServerType: func(ctx *pulumi.Context) error {
			_, err := NewServer(ctx, "r", &ServerArgs{ResourceGroupName: rg})
			return err
		},
		DatabaseType: func(ctx *pulumi.Context) error {
			_, err := NewDatabase(ctx, "r", &DatabaseArgs{ResourceGroupName: rg, ServerName: s})
			return err
		},
		ConfigurationType: func(ctx *pulumi.Context) error {
			_, err := NewConfiguration(ctx, "r", &ConfigurationArgs{ResourceGroupName: rg, ServerName: s})
			return err
		},
	}
	for token, register := range registrations {
		t.Run(token, func(t *testing.T) {
			got := versions{}
			if err := pulumi.RunErr(register, pulumi.WithMocks("p", "s", got)); err != nil {
				t.Fatal(err)
			}
			if got[token] != Version {
				t.Errorf("%s registered at version %q, want %q", token, got[token], Version)
			}
		})
	}
}
