extern int build_system_registrar_ran;

__attribute__((constructor)) static void registrar_register(void)
{
    build_system_registrar_ran = 1;
}
