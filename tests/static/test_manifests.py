"""idf-component-manager's validation of every idf_component.yml in the repository."""
import static_checks


def test_every_component_manifest_is_valid():
    result = static_checks.manifest_lint()
    assert result.ok, result.output


def test_an_invalid_manifest_is_rejected(tmp_path):
    manifest = tmp_path / 'idf_component.yml'
    manifest.write_text('version: "not a version"\ndependencies:\n  idf: [5, 3]\n')
    result = static_checks.manifest_lint([manifest])
    assert not result.ok
